// Contract: the chart repository stand-in (chart-repo-server.ts) is a repository the real bundled helm
// accepts: `helm repo add`, `helm pull --repo` and `helm show chart` work against it, with and without auth,
// through a redirect to a second origin, and its index answers If-None-Match with 304.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChartRepoServer, startChartRepoServer } from '../support/chart-repo-server.ts';
import { makeHelmHome, runHelm } from '../support/helm-charts.ts';
import { selfSignedCertificate } from '../support/test-certificate.ts';

const CHARTS = [
  { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' },
  { name: 'podinfo', version: '6.6.0', appVersion: '6.6.0' },
  { name: 'redis', version: '1.0.0' },
];
const basicAuth = { username: 'fleet', password: 'p4ss:w0rd' };

let root: string;
let open: ChartRepoServer;
let basic: ChartRepoServer;
let bearer: ChartRepoServer;
let cdn: ChartRepoServer;
let redirecting: ChartRepoServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-chart-repo-contract-'));
  open = await startChartRepoServer();
  await open.addCharts(CHARTS);
  basic = await startChartRepoServer({ basicAuth });
  await basic.addCharts(CHARTS);
  bearer = await startChartRepoServer({ bearerToken: 'tok-123' });
  await bearer.addCharts(CHARTS.slice(2));
  // One directory behind two origins: the repository (auth required) redirects archives to the open "CDN".
  cdn = await startChartRepoServer();
  await cdn.addCharts(CHARTS.slice(0, 1));
  redirecting = await startChartRepoServer({ dir: cdn.dir, basicAuth, redirectChartsTo: cdn.url });
  await redirecting.reindex();
});

afterAll(async () => {
  for (const s of [open, basic, bearer, redirecting, cdn]) await s?.close();
  await rm(root, { recursive: true, force: true });
});

async function outDir(home: string): Promise<string> {
  const dest = join(home, 'out');
  await mkdir(dest);
  return dest;
}

async function pulled(dest: string): Promise<string[]> {
  return (await readdir(dest)).sort();
}

describe('the chart repository stand-in', () => {
  it('is a repository helm repo add accepts, and helm show chart reads through it', async () => {
    const home = await makeHelmHome(root);
    await runHelm(['repo', 'add', 'fixtures', open.url], { home });
    const { stdout } = await runHelm(['search', 'repo', 'fixtures/', '--versions', '-o', 'json'], { home });
    const found = (JSON.parse(stdout) as { name: string; version: string }[]).map(
      (c) => `${c.name}@${c.version}`,
    );
    expect(found.sort()).toEqual([
      'fixtures/podinfo@6.5.0',
      'fixtures/podinfo@6.6.0',
      'fixtures/redis@1.0.0',
    ]);
    const shown = await runHelm(['show', 'chart', 'fixtures/podinfo', '--version', '6.5.0'], { home });
    expect(shown.stdout).toMatch(/^version: 6\.5\.0$/m);
  });

  it('serves the archives helm pull --repo asks for, latest version by default', async () => {
    const home = await makeHelmHome(root);
    const dest = await outDir(home);
    await runHelm(['pull', 'podinfo', '--repo', open.url, '-d', dest], { home });
    expect(await pulled(dest)).toEqual(['podinfo-6.6.0.tgz']);
  });

  it('refuses helm without credentials when basic auth is required, and serves it with them', async () => {
    const home = await makeHelmHome(root);
    basic.clearRequests();
    await expect(runHelm(['repo', 'add', 'private', basic.url], { home })).rejects.toThrow(/401/);
    expect(basic.requests.map((r) => [r.path, r.authorization, r.status])).toEqual([
      ['/charts/index.yaml', false, 401],
    ]);
    await expect(
      runHelm(['repo', 'add', 'private', basic.url, '--username', 'fleet', '--password', 'wrong'], { home }),
    ).rejects.toThrow(/401/);

    await runHelm(
      [
        'repo',
        'add',
        'private',
        basic.url,
        '--username',
        basicAuth.username,
        '--password',
        basicAuth.password,
      ],
      { home },
    );
    const dest = await outDir(home);
    await runHelm(
      [
        'pull',
        'redis',
        '--repo',
        basic.url,
        '--username',
        basicAuth.username,
        '--password',
        basicAuth.password,
        '-d',
        dest,
      ],
      { home },
    );
    expect(await pulled(dest)).toEqual(['redis-1.0.0.tgz']);
    expect(basic.requests.at(-1)).toMatchObject({
      path: '/charts/redis-1.0.0.tgz',
      authScheme: 'basic',
      status: 200,
    });
  });

  it('accepts a bearer token and refuses basic credentials when only a token is configured', async () => {
    const ok = await fetch(`${bearer.url}/index.yaml`, { headers: { authorization: 'Bearer tok-123' } });
    expect(ok.status).toBe(200);
    const wrong = await fetch(`${bearer.url}/index.yaml`, {
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
  });

  it('answers If-None-Match with 304 while index.yaml is unchanged, and with the new index once it changes', async () => {
    const first = await fetch(`${open.url}/index.yaml`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const again = await fetch(`${open.url}/index.yaml`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);

    const moving = await startChartRepoServer();
    try {
      await moving.addCharts(CHARTS.slice(0, 1));
      const before = (await fetch(`${moving.url}/index.yaml`)).headers.get('etag') ?? '';
      await moving.addCharts(CHARTS.slice(1, 2));
      const after = await fetch(`${moving.url}/index.yaml`, { headers: { 'if-none-match': before } });
      expect(after.status).toBe(200);
      expect(await after.text()).toContain('6.6.0');
    } finally {
      await moving.close();
    }
  });

  // Go's client keeps Authorization on a redirect to the same host name on another port, so helm's copy
  // arrives with it; Sluice's client (same origin or nothing) is stricter, see test/security.
  it('redirects archives to a second origin, and logs whether helm brought the credentials there', async () => {
    const home = await makeHelmHome(root);
    const dest = await outDir(home);
    cdn.clearRequests();
    redirecting.clearRequests();
    await runHelm(
      [
        'pull',
        'podinfo',
        '--repo',
        redirecting.url,
        '--username',
        basicAuth.username,
        '--password',
        basicAuth.password,
        '-d',
        dest,
      ],
      { home },
    );
    expect(await pulled(dest)).toEqual(['podinfo-6.5.0.tgz']);
    expect(redirecting.requests.map((r) => [r.path, r.authorization, r.status])).toEqual([
      ['/charts/index.yaml', true, 200],
      ['/charts/podinfo-6.5.0.tgz', true, 302],
    ]);
    expect(cdn.requests.map((r) => [r.path, r.authorization, r.status])).toEqual([
      ['/charts/podinfo-6.5.0.tgz', true, 200],
    ]);
  });

  it('serves relative chart URLs and a JSON index when asked to', async () => {
    const repo = await startChartRepoServer();
    try {
      await repo.addCharts(CHARTS.slice(2), { chartUrlBase: false, json: true });
      const text = await (await fetch(`${repo.url}/index.yaml`)).text();
      const index = JSON.parse(text) as { entries: Record<string, { urls: string[] }[]> };
      expect(index.entries.redis?.[0]?.urls).toEqual(['redis-1.0.0.tgz']);
      const home = await makeHelmHome(root);
      const dest = await outDir(home);
      await runHelm(['pull', 'redis', '--repo', repo.url, '-d', dest], { home });
      expect(await pulled(dest)).toEqual(['redis-1.0.0.tgz']);
    } finally {
      await repo.close();
    }
  });

  it('serves HTTPS that helm trusts with --ca-file, and requires a client certificate when asked to', async () => {
    const server = selfSignedCertificate(['localhost']);
    const clientCert = selfSignedCertificate(['fleet-client'], []);
    const secure = await startChartRepoServer({ tls: { ...server, clientCaPem: clientCert.certPem } });
    try {
      await secure.addCharts(CHARTS.slice(2));
      const home = await makeHelmHome(root);
      const files = { ca: join(home, 'ca.crt'), cert: join(home, 'tls.crt'), key: join(home, 'tls.key') };
      await writeFile(files.ca, server.certPem);
      await writeFile(files.cert, clientCert.certPem);
      await writeFile(files.key, clientCert.keyPem);
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/charts$/);
      await expect(
        runHelm(['repo', 'add', 'secure', secure.url, '--ca-file', files.ca], { home }),
      ).rejects.toThrow();
      await runHelm(
        [
          'repo',
          'add',
          'secure',
          secure.url,
          '--ca-file',
          files.ca,
          '--cert-file',
          files.cert,
          '--key-file',
          files.key,
        ],
        { home },
      );
      const shown = await runHelm(['show', 'chart', 'secure/redis'], { home });
      expect(shown.stdout).toMatch(/^name: redis$/m);
    } finally {
      await secure.close();
    }
  });

  it('answers every request with an injected status until cleared, and nothing outside its base path', async () => {
    open.failWith(503);
    expect((await fetch(`${open.url}/index.yaml`)).status).toBe(503);
    open.failWith(undefined);
    expect((await fetch(`${open.url}/index.yaml`)).status).toBe(200);
    expect((await fetch(`${open.origin}/index.yaml`)).status).toBe(404);
    expect((await fetch(`${open.url}//index.yaml`)).status).toBe(404);
    expect((await fetch(`${open.url}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
  });
});
