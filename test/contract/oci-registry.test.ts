// The OCI registry stand-in is a registry the real helm v4 accepts: helm push, helm pull and helm show chart
// over plain HTTP, anonymously, with basic auth and with the bearer-token flow.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHelmHome, packageChart, runHelm, writeChart } from '../support/helm-charts.ts';
import { type OciRegistry, type OciRegistryOptions, startOciRegistry } from '../support/oci-registry.ts';

let home: string;
let chartPath: string;

beforeAll(async () => {
  home = await makeHelmHome();
  const dir = await writeChart(join(home, 'src'), { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' });
  chartPath = await packageChart(dir, join(home, 'packaged'), home);
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const cases: { title: string; opts: OciRegistryOptions; login: string[] }[] = [
  { title: 'anonymous', opts: {}, login: [] },
  {
    title: 'basic auth',
    opts: { auth: { scheme: 'basic', username: 'ci', password: 's3cret' } },
    login: ['--username', 'ci', '--password', 's3cret'],
  },
  {
    title: 'bearer tokens',
    opts: { auth: { scheme: 'bearer', username: 'ci', password: 's3cret' } },
    login: ['--username', 'ci', '--password', 's3cret'],
  },
];

describe.each(cases)('OCI registry stand-in ($title)', ({ opts, login }) => {
  let registry: OciRegistry;

  beforeAll(async () => {
    registry = await startOciRegistry(opts);
  });
  afterAll(async () => {
    await registry.close();
  });

  it('accepts helm push, then serves helm pull and helm show chart of the same chart', async () => {
    const repo = `oci://${registry.host}/charts`;
    await runHelm(['push', chartPath, repo, '--plain-http', ...login], { home });

    const out = join(home, `pulled-${registry.host.replace(':', '-')}`);
    await mkdir(out, { recursive: true });
    await runHelm(
      ['pull', `${repo}/podinfo`, '--version', '6.5.0', '--plain-http', '--destination', out, ...login],
      { home },
    );
    expect(await readFile(join(out, 'podinfo-6.5.0.tgz'))).toEqual(await readFile(chartPath));

    const { stdout } = await runHelm(
      ['show', 'chart', `${repo}/podinfo`, '--version', '6.5.0', '--plain-http', ...login],
      { home },
    );
    expect(stdout).toContain('name: podinfo');
    expect(stdout).toContain('version: 6.5.0');
  });

  it(`${opts.auth ? 'refuses' : 'serves'} helm pull without credentials`, async () => {
    const repo = `oci://${registry.host}/charts`;
    const pull = runHelm(
      [
        'pull',
        `${repo}/podinfo`,
        '--version',
        '6.5.0',
        '--plain-http',
        '--destination',
        await makeHelmHome(home),
      ],
      { home: await makeHelmHome(home) },
    );
    if (opts.auth) await expect(pull).rejects.toThrow(/401|unauthorized|credential/i);
    else await expect(pull).resolves.toBeDefined();
  });
});

describe('OCI registry stand-in (API details)', () => {
  let registry: OciRegistry;

  beforeAll(async () => {
    registry = await startOciRegistry();
  });
  afterAll(async () => {
    await registry.close();
  });

  it('pages the tag list with n and last', async () => {
    for (const tag of ['a', 'b', 'c']) {
      registry.putManifest(
        'paged',
        Buffer.from(`{"t":"${tag}"}`),
        'application/vnd.oci.image.manifest.v1+json',
        tag,
      );
    }
    const first = await fetch(`${registry.origin}/v2/paged/tags/list?n=2`);
    expect(await first.json()).toEqual({ name: 'paged', tags: ['a', 'b'] });
    expect(first.headers.get('link')).toBe('</v2/paged/tags/list?n=2&last=b>; rel="next"');
    const next = await fetch(`${registry.origin}/v2/paged/tags/list?n=2&last=b`);
    expect(await next.json()).toEqual({ name: 'paged', tags: ['c'] });
  });

  it('takes a monolithic upload and a chunked one, and mounts an existing blob', async () => {
    const bytes = Buffer.from('hello blob');
    const digest = `sha256:${(await import('node:crypto')).createHash('sha256').update(bytes).digest('hex')}`;
    const mono = await fetch(`${registry.origin}/v2/one/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      body: bytes,
    });
    expect(mono.status).toBe(201);

    const start = await fetch(`${registry.origin}/v2/two/blobs/uploads/`, { method: 'POST' });
    expect(start.status).toBe(202);
    const location = new URL(start.headers.get('location') ?? '', registry.origin);
    const patch = await fetch(location, { method: 'PATCH', body: bytes.subarray(0, 5) });
    expect(patch.headers.get('range')).toBe('0-4');
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', body: bytes.subarray(5) });
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(digest);

    const mount = await fetch(`${registry.origin}/v2/three/blobs/uploads/?mount=${digest}&from=one`, {
      method: 'POST',
    });
    expect(mount.status).toBe(201);
    const got = await fetch(`${registry.origin}/v2/three/blobs/${digest}`);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);
  });

  it('serves a manifest by tag and by digest with its exact bytes, type and digest header', async () => {
    const bytes = Buffer.from('{"schemaVersion":2,  "layers":[]}');
    const digest = registry.putManifest(
      'exact',
      bytes,
      'application/vnd.docker.distribution.manifest.v2+json',
      'v1',
    );
    for (const ref of ['v1', digest]) {
      const res = await fetch(`${registry.origin}/v2/exact/manifests/${ref}`);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
      expect(res.headers.get('content-type')).toBe('application/vnd.docker.distribution.manifest.v2+json');
      expect(res.headers.get('docker-content-digest')).toBe(digest);
    }
    expect((await fetch(`${registry.origin}/v2/exact/manifests/v2`)).status).toBe(404);
  });
});
