// HttpHelmRepository against the chart repository stand-in (charts packaged and indexed by the bundled
// helm): conditional index fetches, archives checked against the index digest, basic and bearer auth,
// passCredentials across hosts, TLS from certSecretRef, and each failure with its code.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHelmRepository } from '../../shared/adapters/helm/http-helm-repository.ts';
import { systemResolver } from '../../shared/adapters/net/system-resolver.ts';
import { parseChartIndex, selectChartVersion } from '../../shared/core/helm/chart-index.ts';
import type { RemoteAccess } from '../../shared/ports/remote-access.ts';
import { type ChartRepoServer, startChartRepoServer } from '../support/chart-repo-server.ts';
import { rejectionOf } from '../support/error-of.ts';
import { selfSignedCertificate } from '../support/test-certificate.ts';

const CHARTS = [
  { name: 'podinfo', version: '6.5.0' },
  { name: 'podinfo', version: '6.6.0' },
  { name: 'podinfo', version: '7.0.0-rc.1' },
  { name: 'redis', version: '1.0.0' },
];
const basic = { username: 'fleet', password: 'p4ss:w0rd' };

const servers: ChartRepoServer[] = [];
async function serve(...args: Parameters<typeof startChartRepoServer>): Promise<ChartRepoServer> {
  const server = await startChartRepoServer(...args);
  servers.push(server);
  return server;
}

let open: ChartRepoServer;
let locked: ChartRepoServer;

beforeAll(async () => {
  open = await serve();
  await open.addCharts(CHARTS);
  locked = await serve({ basicAuth: basic, bearerToken: 'tok-123' });
  await locked.addCharts(CHARTS.slice(3));
});

afterAll(async () => {
  for (const s of servers) await s.close();
});

function client(opts: Partial<ConstructorParameters<typeof HttpHelmRepository>[0]> = {}): HttpHelmRepository {
  return new HttpHelmRepository({
    policy: { publicOnly: false, allowed: servers.map((s) => s.origin), allowSetting: 'test' },
    resolver: systemResolver,
    ...opts,
  });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Fetches, parses and selects as the HelmChart use-case does, then downloads the archive. */
async function pull(repoUrl: string, name: string, range: string, access: RemoteAccess = {}) {
  const helm = client();
  const index = await helm.fetchIndex(repoUrl, access);
  if (index.notModified) throw new Error('unexpected 304');
  const entry = selectChartVersion(parseChartIndex(index.bytes, repoUrl), name, range, repoUrl);
  return { entry, bytes: await helm.downloadChart(repoUrl, entry, access) };
}

describe('fetchIndex', () => {
  it('returns the bytes helm wrote, their sha256 digest and the ETag', async () => {
    const served = await readFile(join(open.dir, 'index.yaml'));
    const result = await client().fetchIndex(open.url, {});
    expect(result).toEqual({
      notModified: false,
      bytes: served,
      digest: `sha256:${sha256(served)}`,
      etag: expect.stringMatching(/^"[0-9a-f]+"$/),
    });
  });

  it('costs exactly one conditional request while the index is unchanged', async () => {
    const first = await client().fetchIndex(open.url, {});
    if (first.notModified) throw new Error('unexpected 304');
    open.clearRequests();
    expect(await client().fetchIndex(open.url, {}, first.etag)).toEqual({ notModified: true });
    expect(open.requests).toEqual([
      expect.objectContaining({ path: '/charts/index.yaml', ifNoneMatch: first.etag, status: 304 }),
    ]);
  });

  it('returns the new index when it changed since the stored ETag', async () => {
    const moving = await serve();
    await moving.addCharts(CHARTS.slice(0, 1));
    const before = await client().fetchIndex(moving.url, {});
    if (before.notModified) throw new Error('unexpected 304');
    await moving.addCharts(CHARTS.slice(1, 2));
    const after = await client().fetchIndex(moving.url, {}, before.etag);
    expect(after.notModified).toBe(false);
    if (!after.notModified) {
      expect(after.digest).not.toBe(before.digest);
      expect(
        parseChartIndex(after.bytes)
          .entries.get('podinfo')
          ?.map((v) => v.version),
      ).toEqual(['6.6.0', '6.5.0']);
    }
  });

  it.each([
    ['no trailing slash', ''],
    ['a trailing slash', '/'],
    ['two trailing slashes', '//'],
  ])('asks for <url>/index.yaml with %s, as Flux joins them', async (_, tail) => {
    open.clearRequests();
    await client().fetchIndex(`${open.url}${tail}`, {});
    expect(open.requests.map((r) => r.path)).toEqual(['/charts/index.yaml']);
  });

  it('says a URL without an index is probably no Helm repository (404)', async () => {
    const err = await rejectionOf(client().fetchIndex(`${open.origin}/nothing-here`, {}));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain('is spec.url a Helm repository?');
  });

  it('refuses a page that is not an index before anything stores it', async () => {
    const pages = await serve();
    await pages.addCharts(CHARTS.slice(3));
    await writeFile(join(pages.dir, 'index.yaml'), '<html><body>Welcome</body></html>\n');
    const err = await rejectionOf(client().fetchIndex(pages.url, {}));
    expect({ code: err.code, retryable: err.retryable }).toEqual({
      code: 'SourceFetchFailed',
      retryable: false,
    });
    expect(err.message).toContain('is spec.url a Helm repository?');
  });

  it.each([500, 502, 503])('fails retryably on HTTP %i', async (status) => {
    open.failWith(status);
    try {
      const err = await rejectionOf(client().fetchIndex(open.url, {}));
      expect({ code: err.code, retryable: err.retryable }).toEqual({
        code: 'SourceFetchFailed',
        retryable: true,
      });
    } finally {
      open.failWith(undefined);
    }
  });

  it('fails retryably when nothing listens', async () => {
    const gone = await serve();
    const url = gone.url;
    await gone.close();
    servers.splice(servers.indexOf(gone), 1);
    const helm = new HttpHelmRepository({
      policy: { publicOnly: false, allowed: [new URL(url).origin], allowSetting: 'test' },
      resolver: systemResolver,
    });
    const err = await rejectionOf(helm.fetchIndex(url, {}));
    expect({ code: err.code, retryable: err.retryable }).toEqual({
      code: 'SourceFetchFailed',
      retryable: true,
    });
  });

  it('refuses an index past the size limit', async () => {
    const err = await rejectionOf(client({ maxIndexBytes: 100 }).fetchIndex(open.url, {}));
    expect(err.code).toBe('LimitExceeded');
  });

  it('refuses provider aws (and any provider but generic) for an HTTP repository', async () => {
    open.clearRequests();
    const err = await rejectionOf(client().fetchIndex(open.url, { provider: 'aws' }));
    expect({ code: err.code, field: err.field }).toEqual({
      code: 'ValidationFailed',
      field: 'spec.provider',
    });
    expect(open.requests).toEqual([]);
    await expect(client().fetchIndex(open.url, { provider: 'generic' })).resolves.toBeDefined();
  });
});

describe('downloadChart', () => {
  it('downloads the version a range selects, byte for byte what helm packaged', async () => {
    const { entry, bytes } = await pull(open.url, 'podinfo', '^6');
    expect(entry.version).toBe('6.6.0');
    expect(bytes.equals(await readFile(join(open.dir, 'podinfo-6.6.0.tgz')))).toBe(true);
    expect(sha256(bytes)).toBe(entry.digest);
  });

  it('resolves relative chart URLs against the repository URL, trailing slash or not', async () => {
    const relative = await serve();
    await relative.addCharts(CHARTS.slice(3), { chartUrlBase: false });
    for (const url of [relative.url, `${relative.url}/`]) {
      relative.clearRequests();
      const { entry } = await pull(url, 'redis', '*');
      expect(entry.urls).toEqual(['redis-1.0.0.tgz']);
      expect(relative.requests.map((r) => r.path)).toEqual(['/charts/index.yaml', '/charts/redis-1.0.0.tgz']);
    }
  });

  it('refuses an archive that does not match the index digest, naming the chart and version', async () => {
    const tampered = await serve();
    await tampered.addCharts(CHARTS.slice(3));
    const indexFile = join(tampered.dir, 'index.yaml');
    const text = await readFile(indexFile, 'utf8');
    await writeFile(indexFile, text.replace(/digest: [0-9a-f]{64}/, `digest: ${'0'.repeat(64)}`));
    const err = await rejectionOf(pull(tampered.url, 'redis', '1.0.0'));
    expect(err.code).toBe('ArchiveRejected');
    expect(err.message).toContain('chart redis 1.0.0');
  });

  it('says which chart and version the repository does not serve (404)', async () => {
    const entry = { name: 'redis', version: '9.9.9', urls: ['redis-9.9.9.tgz'] };
    const err = await rejectionOf(client().downloadChart(open.url, entry, {}));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain('chart redis 9.9.9');
  });

  it('names the chart and some charts there when the chart is not in the index', async () => {
    const err = await rejectionOf(pull(open.url, 'podinf0', '*'));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain("chart 'podinf0' not found in");
    expect(err.message).toContain('podinfo');
  });

  it('names the range and the newest versions when none matches', async () => {
    const err = await rejectionOf(pull(open.url, 'podinfo', '>=8.0.0'));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain("matches '>=8.0.0' (newest versions: 7.0.0-rc.1, 6.6.0, 6.5.0)");
  });

  it('refuses an archive past the size limit', async () => {
    const helm = client({ maxChartBytes: 64 });
    const index = await helm.fetchIndex(open.url, {});
    if (index.notModified) throw new Error('unexpected 304');
    const entry = selectChartVersion(parseChartIndex(index.bytes), 'redis', '*');
    expect((await rejectionOf(helm.downloadChart(open.url, entry, {}))).code).toBe('LimitExceeded');
  });
});

describe('auth', () => {
  it('refuses access without credentials and says the repository needs spec.secretRef', async () => {
    const err = await rejectionOf(client().fetchIndex(locked.url, {}));
    expect(err.code).toBe('SourceAuthFailed');
    expect(err.message).toContain('set spec.secretRef');
  });

  it('refuses wrong credentials and says to check spec.secretRef, without echoing them', async () => {
    const err = await rejectionOf(
      client().fetchIndex(locked.url, { credentials: { username: 'fleet', password: 'wrong-pw' } }),
    );
    expect(err.code).toBe('SourceAuthFailed');
    expect(err.message).toContain('check the credentials in spec.secretRef');
    expect(err.message).not.toContain('wrong-pw');
  });

  it.each([
    ['basic auth', { credentials: basic }, 'basic'],
    ['a bearer token', { credentials: { bearerToken: 'tok-123' } }, 'bearer'],
  ])('fetches the index and the chart with %s', async (_, access, scheme) => {
    locked.clearRequests();
    const { bytes } = await pull(locked.url, 'redis', '*', access);
    expect(bytes.length).toBeGreaterThan(0);
    expect(locked.requests.map((r) => [r.path, r.authScheme, r.status])).toEqual([
      ['/charts/index.yaml', scheme, 200],
      ['/charts/redis-1.0.0.tgz', scheme, 200],
    ]);
  });
});

describe('passCredentials: charts on another host', () => {
  /** A repository behind basic auth whose index lists archives on `chartHost` (absolute URLs). */
  async function split(chartHostAuth: boolean) {
    const chartHost = await serve(chartHostAuth ? { basicAuth: basic } : {});
    await chartHost.addCharts(CHARTS.slice(3));
    const repo = await serve({ dir: chartHost.dir, basicAuth: basic });
    return { repo, chartHost };
  }

  it('does not send the credentials to the other host without passCredentials', async () => {
    const { repo, chartHost } = await split(false);
    await pull(repo.url, 'redis', '*', { credentials: basic });
    expect(repo.requests.map((r) => [r.path, r.authorization])).toEqual([['/charts/index.yaml', true]]);
    expect(chartHost.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/charts/redis-1.0.0.tgz', false],
    ]);
  });

  it('fails with SourceAuthFailed when the other host wants them and passCredentials is off', async () => {
    const { repo } = await split(true);
    const err = await rejectionOf(pull(repo.url, 'redis', '*', { credentials: basic }));
    expect(err.code).toBe('SourceAuthFailed');
  });

  it('sends them to the other host with passCredentials', async () => {
    const { repo, chartHost } = await split(true);
    await pull(repo.url, 'redis', '*', { credentials: basic, passCredentials: true });
    expect(chartHost.requests.map((r) => [r.path, r.authScheme, r.status])).toEqual([
      ['/charts/redis-1.0.0.tgz', 'basic', 200],
    ]);
  });
});

describe('TLS from certSecretRef', () => {
  it('trusts the CA it is given, in addition to the system ones, and fails without it', async () => {
    const server = selfSignedCertificate(['localhost']);
    const secure = await serve({ tls: server });
    await secure.addCharts(CHARTS.slice(3));
    const untrusted = await rejectionOf(client().fetchIndex(secure.url, {}));
    expect(untrusted.code).toBe('SourceFetchFailed');
    const { bytes } = await pull(secure.url, 'redis', '*', { tls: { caPem: server.certPem } });
    expect(bytes.length).toBeGreaterThan(0);
  });

  it('presents the client certificate a mutual-TLS repository requires', async () => {
    const server = selfSignedCertificate(['localhost']);
    const clientCert = selfSignedCertificate(['fleet-client'], []);
    const mutual = await serve({ tls: { ...server, clientCaPem: clientCert.certPem } });
    await mutual.addCharts(CHARTS.slice(3));
    const without = await rejectionOf(client().fetchIndex(mutual.url, { tls: { caPem: server.certPem } }));
    expect(without.code).toBe('SourceFetchFailed');
    const tls = { caPem: server.certPem, certPem: clientCert.certPem, keyPem: clientCert.keyPem };
    const { entry } = await pull(mutual.url, 'redis', '*', { tls });
    expect(entry.version).toBe('1.0.0');
  });
});
