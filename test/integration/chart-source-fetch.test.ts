// fetchSource for chart and OCI sources against the real stand-ins: HelmCharts built from a Git directory
// (Revision strategy, values files), an OCIRepository path and an oci HelmRepository; dependents fetched
// once per upstream generation; suspended and withdrawn sources left alone; a bad digest kept as an error
// beside the last good chart; dependency credentials from the cluster's HelmRepository with that URL.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { SourceAddressPolicy } from '../../shared/core/net/source-address-policy.ts';
import { decodeJob, type FetchJob } from '../../shared/core/pipeline/jobs.ts';
import type { FetchState } from '../../shared/core/pipeline/records.ts';
import type { SourceKind } from '../../shared/core/pipeline/source-kind.ts';
import { fetchSource } from '../../shared/usecases/fetch-source.ts';
import type { PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { scheduleSources } from '../../shared/usecases/schedule-sources.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { AllowedStandIns } from '../support/allowed-stand-ins.ts';
import { pushFluxArtifact } from '../support/flux-artifact.ts';
import { createFixtureRepo, type FixtureRepo } from '../support/git-fixture-repo.ts';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http-server.ts';
import { makeHelmHome, packageChart, runHelm, writeChart } from '../support/helm-charts.ts';
import type { OciRegistry } from '../support/oci-registry.ts';
import {
  declareSources,
  fetchWorkerDeps,
  fluxObject,
  gitRepository,
  NS,
  secret,
  sourceKeyIn,
  sourceStateIn,
} from '../support/source-fetching.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

type Raw = Record<string, unknown>;

let env: StoreAndQueues;
let root: string;
let helmHome: string;
let registry: OciRegistry;
let gitServer: GitHttpServer;
let gitRepo: FixtureRepo;
let deps: PipelineDeps;
const standIns = new AllowedStandIns();
let clusterCount = 0;
let cluster: string;

beforeAll(async () => {
  env = await startStoreAndQueues('chartfetch');
  root = await mkdtemp(join(tmpdir(), 'sluice-chart-fetch-'));
  helmHome = await makeHelmHome(root);
  registry = await standIns.ociRegistry();
  gitRepo = await createFixtureRepo(join(root, 'served'), 'charts');
  await gitRepo.write({
    'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
    'charts/app/values.yaml': 'greeting: hello\nreplicas: 1\n',
    'charts/app/values-prod.yaml': 'replicas: 3\n',
    'charts/app/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n',
  });
  await gitRepo.commit('a chart');
  await gitRepo.push();
  gitServer = standIns.add(await startGitHttpServer({ root: join(root, 'served') }));
  // One policy object, read on every request: servers started by a test are allowed once pushed.
  const policy: SourceAddressPolicy = { publicOnly: false, allowed: standIns.allowed, allowSetting: 'test' };
  deps = fetchWorkerDeps(env.deps, join(root, 'cache'), policy);
}, 60_000);

afterAll(async () => {
  await standIns.close();
  await env?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  // Each test gets its own cluster, so its records and jobs never meet another's.
  cluster = `c${++clusterCount}`;
  await env.drain(env.deps.queues.fetch);
  await env.drain(env.deps.queues.render);
});

/** A chart repository of its own: sources without credentials are shared by URL across clusters. */
const chartServer = (opts?: Parameters<typeof standIns.chartServer>[0]) => standIns.chartServer(opts);

const helmRepository = fluxObject('HelmRepository');
const helmChart = fluxObject('HelmChart');

/** What a render of the cluster's root Kustomization `sources` declared, registered as the render does. */
const declare = (...objects: Raw[]): Promise<void> => declareSources(deps, cluster, objects);

/** The fetch jobs queued since the last drain, taken off the queue. */
async function queuedFetches(): Promise<FetchJob[]> {
  return (await env.drain(env.deps.queues.fetch)).map((m) => decodeJob(m.body) as FetchJob);
}

/** Runs every queued fetch, and those they queue, as the fetch worker would; failures are recorded, not thrown. */
async function runFetches(): Promise<FetchJob[]> {
  const ran: FetchJob[] = [];
  for (let round = 0; round < 10; round++) {
    const jobs = await queuedFetches();
    if (jobs.length === 0) return ran;
    for (const job of jobs) {
      ran.push(job);
      await fetchSource(deps, job).catch(() => undefined);
    }
  }
  throw new Error('fetches kept queuing fetches');
}

const keyOf = (kind: SourceKind, name: string) => sourceKeyIn(deps, cluster, kind, name);
const stateOfSource = (kind: SourceKind, name: string) => sourceStateIn(deps, cluster, kind, name);

const fetchJob = (sourceKey: string, reason: FetchJob['reason'] = 'webhook'): FetchJob => ({
  kind: 'fetch',
  sourceKey,
  reason,
});

/** The built chart's files, where the builder left them: `<snapshotsDir>/<hex>/<name>/`. */
const builtFile = (state: FetchState | undefined, path: string) =>
  readFile(
    join(deps.settings.snapshotsDir, (state?.snapshotDigest ?? '').replace(/^sha256:/, ''), path),
    'utf8',
  );

describe('HelmCharts built from each kind of source', () => {
  it('from a GitRepository directory, with Flux’s +<12 hex> version under Revision and values files merged in order', async () => {
    const head = await gitRepo.git('rev-parse', 'HEAD');
    await declare(
      gitRepository('charts-git', gitServer.url('charts')),
      helmChart('app', {
        chart: './charts/app',
        sourceRef: { kind: 'GitRepository', name: 'charts-git' },
        reconcileStrategy: 'Revision',
        valuesFiles: ['charts/app/values.yaml', 'charts/app/values-prod.yaml'],
      }),
    );
    await runFetches();
    const built = await stateOfSource('HelmChart', 'app');
    expect(built?.error).toBeUndefined();
    expect(built?.chart).toEqual({ name: 'app', version: `0.1.0+${head.slice(0, 12)}` });
    expect(built?.revision).toBe(`0.1.0+${head.slice(0, 12)}`);
    expect(parse(await builtFile(built, 'app/values.yaml'))).toEqual({ greeting: 'hello', replicas: 3 });
    expect(parse(await builtFile(built, 'app/Chart.yaml')).version).toBe(`0.1.0+${head.slice(0, 12)}`);

    // A commit that leaves the chart's files alone still moves its version: the revision is part of it.
    await gitRepo.write({ 'README.md': 'charts\n' });
    const next = await gitRepo.commit('readme');
    await gitRepo.push();
    await fetchSource(deps, fetchJob(await keyOf('GitRepository', 'charts-git')));
    expect(await queuedFetches()).toEqual([fetchJob(await keyOf('HelmChart', 'app'), 'source')]);
    await fetchSource(deps, fetchJob(await keyOf('HelmChart', 'app'), 'source'));
    expect((await stateOfSource('HelmChart', 'app'))?.chart?.version).toBe(`0.1.0+${next.slice(0, 12)}`);
  });

  it('from an OCIRepository path (a flux push artifact holding a chart directory)', async () => {
    await pushFluxArtifact(registry.origin, 'manifests/charts', 'v1.0.0', {
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.3\n',
      'charts/web/values.yaml': 'port: 80\n',
      'charts/web/templates/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n',
    });
    await declare(
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'OCIRepository',
        metadata: { name: 'charts-oci', namespace: NS },
        spec: {
          interval: '10m',
          url: registry.url('manifests/charts'),
          insecure: true,
          ref: { tag: 'v1.0.0' },
        },
      },
      helmChart('web', { chart: 'charts/web', sourceRef: { kind: 'OCIRepository', name: 'charts-oci' } }),
    );
    await runFetches();
    const built = await stateOfSource('HelmChart', 'web');
    expect(built?.error).toBeUndefined();
    expect(built?.chart).toEqual({ name: 'web', version: '1.2.3' });
    expect(built?.artifactDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(parse(await builtFile(built, 'web/values.yaml'))).toEqual({ port: 80 });
  });

  it('from a HelmRepository of type oci (a chart pushed with the real helm push); the repository records no artifact and no error', async () => {
    for (const version of ['6.5.0', '6.6.0-rc.1', '7.0.0']) {
      const dir = await writeChart(join(root, `podinfo-${version}`), { name: 'podinfo', version });
      const archive = await packageChart(dir, join(root, 'pushed'), helmHome);
      await runHelm(['push', archive, `oci://${registry.host}/helm`, '--plain-http'], { home: helmHome });
    }
    await declare(
      helmRepository('oci-charts', { type: 'oci', url: `oci://${registry.host}/helm`, insecure: true }),
      helmChart('podinfo', {
        chart: 'podinfo',
        version: '6.x',
        sourceRef: { kind: 'HelmRepository', name: 'oci-charts' },
      }),
    );
    await runFetches();
    const repository = await stateOfSource('HelmRepository', 'oci-charts');
    expect(repository?.error).toBeUndefined();
    expect(repository?.snapshotDigest).toBeUndefined();
    expect(repository?.bundleDigest).toBeUndefined();
    expect(repository?.artifactDigest).toBeUndefined();
    expect(repository?.generation).toBe(0);
    const built = await stateOfSource('HelmChart', 'podinfo');
    expect(built?.error).toBeUndefined();
    expect(built?.chart).toEqual({ name: 'podinfo', version: '6.5.0' });
  });
});

describe('HelmCharts follow their source', () => {
  it('are fetched exactly once per generation of the HelmRepository they are built from', async () => {
    const charts = await chartServer();
    await charts.addCharts([{ name: 'hello', version: '1.0.0' }]);
    await declare(
      helmRepository('plain', { url: charts.url }),
      helmChart('hello', {
        chart: 'hello',
        version: '1.x',
        sourceRef: { kind: 'HelmRepository', name: 'plain' },
      }),
    );
    await runFetches();
    expect((await stateOfSource('HelmChart', 'hello'))?.chart?.version).toBe('1.0.0');
    const repoKey = await keyOf('HelmRepository', 'plain');
    const chartKey = await keyOf('HelmChart', 'hello');

    await charts.addCharts([{ name: 'hello', version: '1.1.0' }]);
    expect((await fetchSource(deps, fetchJob(repoKey))).changed).toBe(true);
    expect(await queuedFetches()).toEqual([fetchJob(chartKey, 'source')]);
    await fetchSource(deps, fetchJob(chartKey, 'source'));
    expect((await stateOfSource('HelmChart', 'hello'))?.chart?.version).toBe('1.1.0');

    // An unchanged index (304) queues nothing.
    expect((await fetchSource(deps, fetchJob(repoKey))).changed).toBe(false);
    expect(await queuedFetches()).toEqual([]);
    // A retry of a fetch that died before it finished (renders pending) queues the dependents of the same
    // generation again: the queue takes it as the same request.
    const state = (await stateOf(deps).getFetchState(repoKey)) as FetchState;
    await stateOf(deps).putFetchState({ ...state, rendersPending: true });
    await fetchSource(deps, fetchJob(repoKey));
    expect(await queuedFetches()).toEqual([]);
    expect((await stateOf(deps).getFetchState(repoKey))?.rendersPending).toBeUndefined();
  });

  it('a HelmChart declared by nothing any more is not built when its source moves', async () => {
    const charts = await chartServer();
    await charts.addCharts([{ name: 'gone', version: '1.0.0' }]);
    const repository = helmRepository('plain', { url: charts.url });
    await declare(
      repository,
      helmChart('gone', { chart: 'gone', sourceRef: { kind: 'HelmRepository', name: 'plain' } }),
    );
    await runFetches();
    const chartKey = await keyOf('HelmChart', 'gone');
    const before = await stateOf(deps).getFetchState(chartKey);
    expect(before?.chart?.version).toBe('1.0.0');

    await declare(repository);
    await charts.addCharts([{ name: 'gone', version: '1.1.0' }]);
    charts.clearRequests();
    await fetchSource(deps, fetchJob(await keyOf('HelmRepository', 'plain')));
    const jobs = await queuedFetches();
    // The marker on the repository still names the chart; its job finds no declarer and builds nothing.
    expect(jobs).toEqual([fetchJob(chartKey, 'source')]);
    expect(await fetchSource(deps, fetchJob(chartKey, 'source'))).toEqual({ changed: false });
    expect(await stateOf(deps).getFetchState(chartKey)).toEqual(before);
    expect(charts.requests.filter((r) => r.path.endsWith('.tgz'))).toEqual([]);
  });
});

describe('a sourceRef name that moves', () => {
  it('a HelmChart is built again when its HelmRepository’s name now stands for another repository', async () => {
    const first = await chartServer();
    await first.addCharts([{ name: 'moved', version: '1.0.0' }]);
    const second = await chartServer();
    await second.addCharts([{ name: 'moved', version: '2.0.0' }]);
    const chart = helmChart('moved', {
      chart: 'moved',
      version: '*',
      sourceRef: { kind: 'HelmRepository', name: 'repo' },
    });
    await declare(helmRepository('repo', { url: first.url }), chart);
    await runFetches();
    expect((await stateOfSource('HelmChart', 'moved'))?.chart?.version).toBe('1.0.0');
    // The HelmChart's own declaration did not change: only what its sourceRef names did.
    await declare(helmRepository('repo', { url: second.url }), chart);
    await runFetches();
    const moved = await stateOfSource('HelmChart', 'moved');
    expect(moved?.error).toBeUndefined();
    expect(moved?.chart?.version).toBe('2.0.0');
  });
});

describe('suspend', () => {
  it('a source whose every declarer is suspended is neither fetched nor scheduled; one declarer that is not is enough', async () => {
    const charts = await chartServer();
    await charts.addCharts([{ name: 'paused', version: '1.0.0' }]);
    await declare(helmRepository('paused', { url: charts.url, suspend: true }));
    const key = await keyOf('HelmRepository', 'paused');
    const ran = await runFetches();
    expect(ran.map((j) => j.sourceKey)).toContain(key);
    expect(charts.requests).toEqual([]);
    expect(await stateOf(deps).getFetchState(key)).toBeUndefined();
    // The clock is far past the interval: a source that is not suspended would be due.
    expect(await scheduleSources(deps)).not.toContain(key);
    await env.drain(env.deps.queues.fetch);

    // The same repository declared in another cluster without suspend: fetched and scheduled.
    const suspendedIn = cluster;
    cluster = `c${++clusterCount}`;
    await declare(helmRepository('paused', { url: charts.url }));
    expect(await keyOf('HelmRepository', 'paused')).toBe(key);
    await runFetches();
    expect((await stateOf(deps).getFetchState(key))?.revision).toMatch(/^sha256:/);
    cluster = suspendedIn;
    await stateOf(deps).putFetchState({
      ...((await stateOf(deps).getFetchState(key)) as FetchState),
      lastAttemptAt: '2026-01-01T00:00:00.000Z',
    });
    expect(await scheduleSources(deps)).toContain(key);
    await env.drain(env.deps.queues.fetch);
  });
});

describe('schedule', () => {
  it('a GitRepository used only by a HelmChart is fetched at its interval (the chart follows its commits)', async () => {
    // A repository of its own: the first test's chart keeps the shared fixture's source in use.
    const repo = await createFixtureRepo(join(root, 'served'), 'chart-only');
    await repo.write({ 'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.2.0\n' });
    await repo.commit('a chart');
    await repo.push();
    const url = gitServer.url('chart-only');
    await declare(
      gitRepository('chart-only', url),
      helmChart('chart-only', {
        chart: './charts/app',
        sourceRef: { kind: 'GitRepository', name: 'chart-only' },
      }),
    );
    await runFetches();
    expect((await stateOfSource('HelmChart', 'chart-only'))?.chart?.name).toBe('app');
    const gitKey = await keyOf('GitRepository', 'chart-only');
    await stateOf(deps).putFetchState({
      ...((await stateOf(deps).getFetchState(gitKey)) as FetchState),
      lastAttemptAt: '2026-01-01T00:00:00.000Z',
    });
    expect(await scheduleSources(deps)).toContain(gitKey);
    await env.drain(env.deps.queues.fetch);
    // The chart withdrawn (its marker on the source stays): the source is used by nothing and left alone.
    await declare(gitRepository('chart-only', url));
    expect(await scheduleSources(deps)).not.toContain(gitKey);
    await env.drain(env.deps.queues.fetch);
  });
});

describe('failures', () => {
  it('a chart archive that does not match the index digest is the HelmChart’s error; the last good chart stays', async () => {
    const charts = await chartServer();
    await charts.addCharts([{ name: 'bad', version: '1.0.0' }]);
    await declare(
      helmRepository('plain', { url: charts.url }),
      helmChart('bad', { chart: 'bad', version: '*', sourceRef: { kind: 'HelmRepository', name: 'plain' } }),
    );
    await runFetches();
    const good = await stateOfSource('HelmChart', 'bad');
    expect(good?.chart?.version).toBe('1.0.0');

    await charts.addCharts([{ name: 'bad', version: '1.1.0' }]);
    const indexPath = join(charts.dir, 'index.yaml');
    const index = parse(await readFile(indexPath, 'utf8')) as {
      entries: Record<string, { version: string; digest: string }[]>;
    };
    const entry = index.entries.bad?.find((e) => e.version === '1.1.0');
    if (!entry) throw new Error('no 1.1.0 in the index');
    entry.digest = '0'.repeat(64);
    await writeFile(indexPath, stringify(index));
    await fetchSource(deps, fetchJob(await keyOf('HelmRepository', 'plain')));
    await runFetches();

    const failed = await stateOfSource('HelmChart', 'bad');
    expect(failed?.error?.code).toBe('ArchiveRejected');
    expect(failed?.error?.message).toContain(`HelmChart/${NS}/bad (cluster ${cluster})`);
    expect(failed?.chart).toEqual(good?.chart);
    expect(failed?.bundleDigest).toBe(good?.bundleDigest);
    expect(failed?.generation).toBe(good?.generation);
  });
});

describe('dependencies', () => {
  it('take their credentials from the cluster’s HelmRepository with the same URL', async () => {
    const privateCharts = await chartServer({ basicAuth: { username: 'fleet', password: 'dep-pass-7' } });
    await privateCharts.addCharts([{ name: 'lib', version: '1.0.0' }]);
    // helm package refuses a chart whose dependencies are not vendored: the chart lives in Git, as in a fleet.
    const source = await createFixtureRepo(join(root, 'served'), 'with-deps');
    await source.write({
      'withdep/Chart.yaml': `apiVersion: v2\nname: withdep\nversion: 1.0.0\ndependencies:\n- name: lib\n  version: "1.x"\n  repository: ${privateCharts.url}\n`,
      'withdep/values.yaml': 'lib: {}\n',
    });
    await source.commit('a chart with a private dependency');
    await source.push();
    await declare(
      secret('private-auth', { username: 'fleet', password: 'dep-pass-7' }),
      helmRepository('private', { url: privateCharts.url, secretRef: { name: 'private-auth' } }),
      gitRepository('with-deps', gitServer.url('with-deps')),
      helmChart('withdep', { chart: 'withdep', sourceRef: { kind: 'GitRepository', name: 'with-deps' } }),
    );
    await runFetches();
    const built = await stateOfSource('HelmChart', 'withdep');
    expect(built?.error).toBeUndefined();
    expect(built?.chart).toEqual({ name: 'withdep', version: '1.0.0' });
    const lib = privateCharts.requests.filter((r) => r.path.endsWith('lib-1.0.0.tgz'));
    expect(lib.map((r) => [r.status, r.authScheme])).toEqual([[200, 'basic']]);
    // Vendored: the render never reaches the private repository.
    const vendored = join(
      deps.settings.snapshotsDir,
      (built?.snapshotDigest ?? '').replace(/^sha256:/, ''),
      'withdep',
      'charts',
      'lib-1.0.0.tgz',
    );
    await expect(readFile(vendored)).resolves.toBeInstanceOf(Buffer);
  });
});
