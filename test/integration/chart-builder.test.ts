// HelmChart builds against real charts (written and packaged by the bundled helm) and the local
// registry stand-ins: versions, values files, reconcileStrategy Revision, vendored dependencies, and a
// `helm template` of every built chart with no network, which proves nothing is left to download.
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HelmChartBuilder } from '../../shared/adapters/helm/chart-builder.ts';
import { HttpHelmRepository } from '../../shared/adapters/helm/http-helm-repository.ts';
import { systemResolver } from '../../shared/adapters/net/system-resolver.ts';
import { HttpOciRegistryClient } from '../../shared/adapters/oci/registry-client.ts';
import type { ChartBuildRequest, ChartOrigin, ChartSnapshot } from '../../shared/ports/chart-builder.ts';
import type { HelmRepositoryClient } from '../../shared/ports/helm-repository.ts';
import { type ChartRepoServer, startChartRepoServer } from '../support/chart-repo-server.ts';
import { rejectionOf } from '../support/error-of.ts';
import {
  type FixtureChart,
  makeHelmHome,
  packageChart,
  runHelm,
  writeChart,
} from '../support/helm-charts.ts';
import { type OciRegistry, startOciRegistry } from '../support/oci-registry.ts';
import { tarGz } from '../support/tar-fixture.ts';

const REVISION = 'main@sha1:0123456789abcdef0123456789abcdef01234567';
const policy = { publicOnly: false, allowed: ['127.0.0.1/32'], allowSetting: 'test' };
let root: string;
let home: string;
let registry: OciRegistry;
let repo: ChartRepoServer;
let privateRepo: ChartRepoServer;
let repositories: HelmRepositoryClient;
let builder: HelmChartBuilder;
let source: string;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-chart-builder-'));
  home = await makeHelmHome(root);
  registry = await startOciRegistry();
  repo = await startChartRepoServer();
  privateRepo = await startChartRepoServer({ basicAuth: { username: 'fleet', password: 's3cret' } });
  repositories = new HttpHelmRepository({ policy, resolver: systemResolver });
  builder = new HelmChartBuilder({
    workDir: join(root, 'work'),
    helmRepositories: repositories,
    oci: new HttpOciRegistryClient({ policy }),
  });
  source = join(root, 'source');
  await mkdir(source);
  await writeChart(join(source, 'charts'), {
    name: 'app',
    version: '1.0.0',
    values: 'greeting: hello\nnested:\n  a: 1\n  b: 2\n',
    files: {
      'values-prod.yaml': 'nested:\n  b: 20\n  c: 30\nlist: [1, 2]\n',
      'values-eu.yaml': 'greeting: hallo\nlist: [3]\n',
    },
  });
});

afterAll(async () => {
  await registry?.close();
  await repo?.close();
  await privateRepo?.close();
  await chmodTree(join(root, 'work'));
  await rm(root, { recursive: true, force: true });
});

function gitOrigin(dir = source): ChartOrigin {
  return { kind: 'GitRepository', dir, revision: REVISION };
}

function request(chart: string, extra: Partial<ChartBuildRequest> = {}): ChartBuildRequest {
  return {
    chart,
    origin: gitOrigin(),
    dependencies: { accessFor: async () => ({ insecure: true }) },
    ...extra,
  };
}

/** A fresh source directory holding `charts` (at `charts/<name>`) and any other files. */
async function sourceWith(charts: FixtureChart[], files: Record<string, string> = {}): Promise<string> {
  count += 1;
  const dir = join(root, `source-${count}`);
  for (const chart of charts) await writeChart(join(dir, 'charts'), chart);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

async function template(snap: ChartSnapshot): Promise<string> {
  const { stdout } = await runHelm(['template', 'rel', join(snap.dir, snap.name)], { home });
  return stdout;
}

async function valuesOf(snap: ChartSnapshot): Promise<unknown> {
  return parse(await readFile(join(snap.dir, snap.name, 'values.yaml'), 'utf8'));
}

describe('a chart directory in a Git snapshot', () => {
  it('is stored read-only under its digest, with its Chart.yaml version, and renders', async () => {
    const snap = await builder.build(request('charts/app'));
    expect(snap).toMatchObject({ name: 'app', version: '1.0.0', revision: '1.0.0', changed: true });
    expect(snap.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(snap.dir).toBe(join(root, 'work', snap.digest.slice(7)));
    expect((await lstat(join(snap.dir, 'app', 'Chart.yaml'))).mode & 0o222).toBe(0);
    expect((await lstat(join(snap.dir, 'app'))).mode & 0o222).toBe(0);
    expect(await template(snap)).toContain('greeting: "hello"');
  });

  it('gives the same digest for the same inputs, and changed false against it', async () => {
    const first = await builder.build(request('charts/app'));
    const again = await builder.build(request('charts/app', { lastDigest: first.digest }));
    expect(again.digest).toBe(first.digest);
    expect(again.changed).toBe(false);
  });

  it('gives builds running at once the same stored chart', async () => {
    const dir = await sourceWith([{ name: 'racing', version: '1.0.0' }]);
    const [a, b, c] = await Promise.all(
      [1, 2, 3].map(() => builder.build(request('charts/racing', { origin: gitOrigin(dir) }))),
    );
    expect(new Set([a?.dir, b?.dir, c?.dir]).size).toBe(1);
    expect((await readdir(join(root, 'work'))).filter((f) => f.startsWith('.staging-'))).toEqual([]);
  });

  it('suffixes the version with the short commit under reconcileStrategy Revision', async () => {
    const snap = await builder.build(request('charts/app', { reconcileStrategy: 'Revision' }));
    expect(snap.version).toBe('1.0.0+0123456789ab');
    expect(snap.revision).toBe('1.0.0+0123456789ab');
    const chartYaml = parse(await readFile(join(snap.dir, 'app', 'Chart.yaml'), 'utf8')) as {
      version: string;
    };
    expect(chartYaml.version).toBe('1.0.0+0123456789ab');
    expect(await template(snap)).toContain('chartVersion: "1.0.0+0123456789ab"');
  });

  it('refuses a path that does not exist, is no chart, or climbs out of the source', async () => {
    expect((await rejectionOf(builder.build(request('charts/missing')))).code).toBe('ArtifactNotFound');
    expect((await rejectionOf(builder.build(request('charts/app/templates')))).code).toBe('ArtifactNotFound');
    expect((await rejectionOf(builder.build(request('../outside')))).code).toBe('PathEscapesRoot');
  });

  it('refuses a chart with a symlink leaving the source', async () => {
    const dir = await sourceWith([{ name: 'linked', version: '0.1.0' }]);
    await writeFile(join(root, 'secret.txt'), 'outside');
    await symlink(join(root, 'secret.txt'), join(dir, 'charts', 'linked', 'secret.txt'));
    const err = await rejectionOf(builder.build(request('charts/linked', { origin: gitOrigin(dir) })));
    expect(err.code).toBe('PathEscapesRoot');
  });

  it('follows a symlink that stays inside the source, storing what it points to', async () => {
    const dir = await sourceWith([{ name: 'shared-values', version: '0.1.0' }], { 'common/extra.txt': 'x' });
    await symlink('../../common/extra.txt', join(dir, 'charts', 'shared-values', 'extra.txt'));
    const snap = await builder.build(request('charts/shared-values', { origin: gitOrigin(dir) }));
    expect((await lstat(join(snap.dir, 'shared-values', 'extra.txt'))).isFile()).toBe(true);
  });

  it('refuses an invalid Chart.yaml with a clear error', async () => {
    const dir = await sourceWith([{ name: 'bad', version: 'not-a-version' }]);
    const err = await rejectionOf(builder.build(request('charts/bad', { origin: gitOrigin(dir) })));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain('not-a-version');
  });
});

describe('valuesFiles', () => {
  it('merges the files in order over nothing else (later wins, maps deeply) into values.yaml', async () => {
    const snap = await builder.build(
      request('charts/app', {
        valuesFiles: ['charts/app/values.yaml', 'charts/app/values-prod.yaml', 'charts/app/values-eu.yaml'],
      }),
    );
    expect(await valuesOf(snap)).toEqual({ greeting: 'hallo', nested: { a: 1, b: 20, c: 30 }, list: [3] });
    expect(await template(snap)).toContain('greeting: "hallo"');
  });

  it('replaces the chart values with the files alone, as Flux does', async () => {
    const snap = await builder.build(request('charts/app', { valuesFiles: ['charts/app/values-prod.yaml'] }));
    expect(await valuesOf(snap)).toEqual({ nested: { b: 20, c: 30 }, list: [1, 2] });
  });

  it('refuses a missing file, naming it, unless told to ignore missing files', async () => {
    const err = await rejectionOf(
      builder.build(
        request('charts/app', { valuesFiles: ['charts/app/values-prod.yaml', 'charts/app/nope.yaml'] }),
      ),
    );
    expect(err.code).toBe('PathNotFound');
    expect(err.message).toContain('charts/app/nope.yaml');
    const snap = await builder.build(
      request('charts/app', {
        valuesFiles: ['charts/app/values-prod.yaml', 'charts/app/nope.yaml'],
        ignoreMissingValuesFiles: true,
      }),
    );
    expect(await valuesOf(snap)).toEqual({ nested: { b: 20, c: 30 }, list: [1, 2] });
  });

  it('refuses a values file outside the source', async () => {
    const err = await rejectionOf(
      builder.build(request('charts/app', { valuesFiles: ['../../etc/passwd'] })),
    );
    expect(err.code).toBe('PathEscapesRoot');
  });
});

describe('dependencies', () => {
  it('vendors a file:// dependency and keeps one already in charts/', async () => {
    const dir = await sourceWith([
      {
        name: 'umbrella',
        version: '2.0.0',
        chartYamlExtra:
          'dependencies:\n- name: lib\n  version: ">=0.1.0"\n  repository: file://../lib\n- name: kept\n  version: 1.0.0\n',
        files: {
          'charts/kept/Chart.yaml': 'apiVersion: v2\nname: kept\nversion: 1.0.0\n',
          'charts/kept/templates/cm.yaml': 'kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: kept\n',
        },
      },
      {
        name: 'lib',
        version: '0.2.0',
        templates: { 'cm.yaml': 'kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: from-lib\n' },
      },
    ]);
    const snap = await builder.build(request('charts/umbrella', { origin: gitOrigin(dir) }));
    expect((await readdir(join(snap.dir, 'umbrella', 'charts'))).sort()).toEqual(['kept', 'lib']);
    const out = await template(snap);
    expect(out).toContain('name: from-lib');
    expect(out).toContain('name: kept');
  });

  it('refuses a file:// dependency outside the source', async () => {
    const dir = await sourceWith([
      {
        name: 'escaper',
        version: '1.0.0',
        chartYamlExtra: 'dependencies:\n- name: lib\n  version: "*"\n  repository: file://../../../lib\n',
      },
    ]);
    const err = await rejectionOf(builder.build(request('charts/escaper', { origin: gitOrigin(dir) })));
    expect(err.code).toBe('PathEscapesRoot');
    expect(err.message).toContain('dependency lib');
  });

  it('refuses a repository alias, asking for the URL', async () => {
    const dir = await sourceWith([
      {
        name: 'aliased',
        version: '1.0.0',
        chartYamlExtra: 'dependencies:\n- name: redis\n  version: "*"\n  repository: "@bitnami"\n',
      },
    ]);
    const err = await rejectionOf(builder.build(request('charts/aliased', { origin: gitOrigin(dir) })));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain('URL');
  });

  it('vendors an oci:// dependency as charts/<name>-<version>.tgz, picked by its range', async () => {
    await pushChart({ name: 'ocidep', version: '1.1.0' }, 'deps');
    await pushChart({ name: 'ocidep', version: '1.2.0' }, 'deps');
    await pushChart({ name: 'ocidep', version: '2.0.0' }, 'deps');
    const dir = await sourceWith([
      {
        name: 'withoci',
        version: '1.0.0',
        chartYamlExtra: `dependencies:\n- name: ocidep\n  version: "~1.1 || ^1.2"\n  repository: ${registry.url('deps')}\n`,
      },
    ]);
    const snap = await builder.build(request('charts/withoci', { origin: gitOrigin(dir) }));
    expect(await readdir(join(snap.dir, 'withoci', 'charts'))).toEqual(['ocidep-1.2.0.tgz']);
    expect(await template(snap)).toContain('rel-ocidep');
  });
});

describe('a HelmRepository of type oci', () => {
  const origin = (): ChartOrigin => ({
    kind: 'HelmRepository',
    type: 'oci',
    url: registry.url('charts'),
    access: { insecure: true },
  });

  beforeAll(async () => {
    for (const version of ['0.9.0', '1.0.0', '1.1.0-rc.1'])
      await pushChart({ name: 'podinfo', version }, 'charts');
  });

  it('takes the newest stable version for * and renders it', async () => {
    const snap = await builder.build(request('podinfo', { origin: origin(), version: '*' }));
    expect(snap.version).toBe('1.0.0');
    expect(await template(snap)).toContain('chartVersion: "1.0.0"');
  });

  it('takes an exact version as the tag', async () => {
    const snap = await builder.build(request('podinfo', { origin: origin(), version: '1.1.0-rc.1' }));
    expect(snap.version).toBe('1.1.0-rc.1');
  });

  it('says which versions exist when none matches', async () => {
    const err = await rejectionOf(
      builder.build(request('podinfo', { origin: origin(), version: '>=3.0.0' })),
    );
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain('>=3.0.0');
    expect(err.message).toContain('1.0.0');
  });

  it('merges valuesFiles from inside the chart', async () => {
    const snap = await builder.build(
      request('podinfo', {
        origin: origin(),
        version: '1.0.0',
        valuesFiles: ['values.yaml', 'nope.yaml'],
        ignoreMissingValuesFiles: true,
      }),
    );
    expect(await valuesOf(snap)).toEqual({ greeting: 'hello' });
  });
});

describe('a HelmRepository over HTTP', () => {
  let indexDir: string;
  const origin = (): ChartOrigin => ({
    kind: 'HelmRepository',
    type: 'default',
    url: repo.url,
    indexDir,
    access: {},
  });

  beforeAll(async () => {
    await repo.addCharts([
      { name: 'web', version: '1.0.0' },
      { name: 'web', version: '1.1.0' },
      { name: 'web', version: '2.0.0-beta.1' },
      {
        name: 'cache',
        version: '3.2.1',
        templates: { 'cm.yaml': 'kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: from-cache\n' },
      },
    ]);
    await privateRepo.addCharts([{ name: 'secretive', version: '0.3.0' }]);
    // The HelmRepository's fetch stores the index; the build reads it from there.
    indexDir = join(root, 'index');
    await mkdir(indexDir);
    const index = await repositories.fetchIndex(repo.url, {});
    if (index.notModified) throw new Error('unexpected 304');
    await writeFile(join(indexDir, 'index.yaml'), index.bytes);
  });

  it('selects the newest stable version from the stored index, downloads and renders it', async () => {
    const snap = await builder.build(request('web', { origin: origin(), version: '' }));
    expect(snap).toMatchObject({ name: 'web', version: '1.1.0', revision: '1.1.0' });
    expect(await template(snap)).toContain('chartVersion: "1.1.0"');
  });

  it('follows a range', async () => {
    const snap = await builder.build(request('web', { origin: origin(), version: '>=1.0.0-0' }));
    expect(snap.version).toBe('2.0.0-beta.1');
    expect((await builder.build(request('web', { origin: origin(), version: '~1.0' }))).version).toBe(
      '1.0.0',
    );
  });

  it('names the range and the newest versions when none matches, and a missing chart', async () => {
    const err = await rejectionOf(builder.build(request('web', { origin: origin(), version: '^5' })));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain('^5');
    expect(err.message).toContain('1.1.0');
    expect((await rejectionOf(builder.build(request('nope', { origin: origin() })))).code).toBe(
      'ArtifactNotFound',
    );
  });

  it('vendors a dependency from a repository URL, picked by its range', async () => {
    const dir = await sourceWith([
      {
        name: 'withrepo',
        version: '1.0.0',
        chartYamlExtra: `dependencies:\n- name: cache\n  version: ^3.0.0\n  repository: ${repo.url}/\n`,
      },
    ]);
    const snap = await builder.build(request('charts/withrepo', { origin: gitOrigin(dir) }));
    expect(await readdir(join(snap.dir, 'withrepo', 'charts'))).toEqual(['cache-3.2.1.tgz']);
    expect(await template(snap)).toContain('name: from-cache');
  });

  it('asks for the access of a dependency repository by its URL, and says when it is refused', async () => {
    const withPrivate = (version: string) =>
      sourceWith([
        {
          name: 'withprivate',
          version,
          chartYamlExtra: `dependencies:\n- name: secretive\n  version: "*"\n  repository: ${privateRepo.url}\n`,
        },
      ]);
    const asked: string[] = [];
    const credentials = { username: 'fleet', password: 's3cret' };
    const snap = await builder.build(
      request('charts/withprivate', {
        origin: gitOrigin(await withPrivate('1.0.0')),
        dependencies: {
          accessFor: async (url) => {
            asked.push(url);
            return { credentials };
          },
        },
      }),
    );
    expect(asked).toEqual([privateRepo.url]);
    expect(await readdir(join(snap.dir, 'withprivate', 'charts'))).toEqual(['secretive-0.3.0.tgz']);
    const err = await rejectionOf(
      builder.build(
        request('charts/withprivate', {
          origin: gitOrigin(await withPrivate('1.0.1')),
          dependencies: { accessFor: async () => undefined },
        }),
      ),
    );
    expect(err.code).toBe('SourceAuthFailed');
    expect(err.message).toContain('dependency secretive');
    expect(err.message).not.toContain('s3cret');
  });
});

describe('unchanged inputs', () => {
  it('build a repository chart again without downloading it', async () => {
    const indexDir = join(root, 'index-again');
    await mkdir(indexDir);
    const index = await repositories.fetchIndex(repo.url, {});
    if (index.notModified) throw new Error('unexpected 304');
    await writeFile(join(indexDir, 'index.yaml'), index.bytes);
    const origin: ChartOrigin = {
      kind: 'HelmRepository',
      type: 'default',
      url: repo.url,
      indexDir,
      access: {},
    };
    const first = await builder.build(
      request('web', { origin, version: '1.0.0', valuesFiles: ['values.yaml'] }),
    );
    repo.clearRequests();
    const again = await builder.build(
      request('web', { origin, version: '1.0.0', valuesFiles: ['values.yaml'], lastDigest: first.digest }),
    );
    expect(again).toMatchObject({ digest: first.digest, dir: first.dir, changed: false });
    expect(repo.requests).toEqual([]);
  });

  it('reuse the dependencies of a source chart whose files did not change, and rebuild when a file:// chart did', async () => {
    const dir = await sourceWith([
      {
        name: 'mixed',
        version: '1.0.0',
        chartYamlExtra: `dependencies:\n- name: cache\n  version: "*"\n  repository: ${repo.url}\n- name: lib\n  version: "*"\n  repository: file://../lib\n`,
      },
      { name: 'lib', version: '0.1.0' },
    ]);
    const first = await builder.build(request('charts/mixed', { origin: gitOrigin(dir) }));
    repo.clearRequests();
    const again = await builder.build(request('charts/mixed', { origin: gitOrigin(dir) }));
    expect(again.digest).toBe(first.digest);
    expect(repo.requests).toEqual([]);
    await writeFile(join(dir, 'charts', 'lib', 'values.yaml'), 'greeting: changed\n');
    const changed = await builder.build(
      request('charts/mixed', { origin: gitOrigin(dir), lastDigest: first.digest }),
    );
    expect(changed.changed).toBe(true);
    expect(await readdir(join(changed.dir, 'mixed', 'charts'))).toEqual(['cache-3.2.1.tgz', 'lib']);
  });
});

describe('chart layouts', () => {
  it('builds the dependencies of an apiVersion v1 chart from requirements.yaml, pinned by requirements.lock', async () => {
    const dir = await sourceWith([{ name: 'lib', version: '0.1.0' }], {
      'charts/old/Chart.yaml': 'apiVersion: v1\nname: old\nversion: 0.5.0\n',
      'charts/old/templates/cm.yaml': 'kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: old\n',
      'charts/old/requirements.yaml': `dependencies:\n- name: cache\n  version: ">=1.0.0"\n  repository: ${repo.url}\n- name: lib\n  version: "*"\n  repository: file://../lib\n`,
      'charts/old/requirements.lock': `dependencies:\n- name: cache\n  version: 3.2.1\n  repository: ${repo.url}\n- name: lib\n  version: 0.1.0\n  repository: file://../lib\n`,
    });
    const snap = await builder.build(request('charts/old', { origin: gitOrigin(dir) }));
    expect((await readdir(join(snap.dir, 'old', 'charts'))).sort()).toEqual(['cache-3.2.1.tgz', 'lib']);
    expect(await template(snap)).toContain('name: from-cache');
  });

  it('leaves out what .helmignore names', async () => {
    const dir = await sourceWith([
      {
        name: 'ignoring',
        version: '1.0.0',
        files: { '.helmignore': '*.bak\nsecrets/\n', 'a.bak': 'x', 'secrets/key': 'x' },
      },
    ]);
    const snap = await builder.build(request('charts/ignoring', { origin: gitOrigin(dir) }));
    expect((await readdir(join(snap.dir, 'ignoring'))).sort()).toEqual([
      '.helmignore',
      'Chart.yaml',
      'templates',
      'values.yaml',
    ]);
  });

  it('uses a packaged chart committed to the source as it is', async () => {
    const dir = await sourceWith([]);
    const chartDir = await writeChart(join(root, `packaged-${count}`), {
      name: 'packaged',
      version: '4.5.6',
    });
    await packageChart(chartDir, join(dir, 'releases'), home);
    const snap = await builder.build(request('releases/packaged-4.5.6.tgz', { origin: gitOrigin(dir) }));
    expect(snap).toMatchObject({ name: 'packaged', version: '4.5.6' });
    expect(await template(snap)).toContain('chartVersion: "4.5.6"');
  });
});

describe('hostile charts', () => {
  it('refuses a repository chart archive with a ../ entry, writing nothing outside the work directory', async () => {
    await writeFile(
      join(repo.dir, 'evil-1.0.0.tgz'),
      tarGz([
        { name: 'evil/Chart.yaml', data: 'apiVersion: v2\nname: evil\nversion: 1.0.0\n' },
        { name: 'evil/../../../../escaped.txt', data: 'x' },
      ]),
    );
    const indexDir = join(root, 'index-evil');
    await mkdir(indexDir);
    await writeFile(
      join(indexDir, 'index.yaml'),
      `apiVersion: v1\nentries:\n  evil:\n  - name: evil\n    version: 1.0.0\n    urls: [${repo.url}/evil-1.0.0.tgz]\n`,
    );
    const origin: ChartOrigin = {
      kind: 'HelmRepository',
      type: 'default',
      url: repo.url,
      indexDir,
      access: {},
    };
    const err = await rejectionOf(builder.build(request('evil', { origin })));
    expect(err.code).toBe('ArchiveRejected');
    expect(err.message).toContain('evil/../../../../escaped.txt');
    expect((await readdir(join(root, 'work'))).filter((f) => f.startsWith('.staging-'))).toEqual([]);
    expect(await readdir(root)).not.toContain('escaped.txt');
  });

  it('refuses an OCI artifact that is not a Helm chart, naming the media types it has', async () => {
    const layer = tarGz([{ name: 'x/Chart.yaml', data: 'apiVersion: v2\nname: x\nversion: 1.0.0\n' }]);
    const config = Buffer.from('{}');
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.cncf.helm.config.v1+json',
        digest: registry.putBlob('other/notachart', config),
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: registry.putBlob('other/notachart', layer),
          size: layer.length,
        },
      ],
    };
    registry.putManifest(
      'other/notachart',
      Buffer.from(JSON.stringify(manifest)),
      manifest.mediaType,
      '1.0.0',
    );
    const origin: ChartOrigin = {
      kind: 'HelmRepository',
      type: 'oci',
      url: registry.url('other'),
      access: { insecure: true },
    };
    const err = await rejectionOf(builder.build(request('notachart', { origin, version: '1.0.0' })));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain('application/vnd.oci.image.layer.v1.tar+gzip');
  });
});

async function pushChart(chart: FixtureChart, repository: string): Promise<void> {
  count += 1;
  const dir = await writeChart(join(root, `push-${count}`), chart);
  const archive = await packageChart(dir, join(root, `pushed-${count}`), home);
  await runHelm(['push', archive, `oci://${registry.host}/${repository}`, '--plain-http'], { home });
}

async function chmodTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await chmod(dir, 0o755).catch(() => undefined);
  for (const e of entries) if (e.isDirectory()) await chmodTree(join(dir, e.name));
}
