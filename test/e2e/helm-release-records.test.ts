// HelmReleases through the puller, read back with the real bundled helm: a signed HelmRelease artifact is
// applied against the test Kubernetes API server (hooks in helm's order, then the release's objects), and
// `helm list -A`, `helm history`, `helm get values|manifest` (the bundled helm, kubeconfig at the stand-in)
// read the release records the puller wrote. Upgrades, maxHistory, uninstall, failing hooks, adoption of a
// release `helm install` made. Real servers: fauxqs (S3/SQS), the test API server, the helm binary.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import type { ApplyOptions } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import { FROM_CRDS_DIR, type HelmReleaseApply } from '../../shared/core/helm/helm-release-apply.ts';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import { type KubeObject, objectsToYaml } from '../../shared/core/render/yaml-codec.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { runHelm, writeChart } from '../support/helm-charts.ts';
import { JOB_OUTCOME_ANNOTATION } from '../support/kube-api-server/controllers.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import {
  type PullerWorld,
  pullerDeps,
  revisionOf,
  startPullerWorld,
  storeAndIndex,
  TEST_INTERVAL_MS,
  testArtifact,
  testTombstone,
} from '../support/puller-world.ts';
import { widgetCrd } from '../support/widget-crd.ts';

const BUCKET = 'sluice-helm-records-test';
const queues = defaultQueueNames('helm-records-test');
const RELEASE: Target = { kind: 'HelmRelease', namespace: 'flux-system', name: 'small' };

let world: PullerWorld;
let dir: string;
let keys: PullerWorld['keys'];

beforeAll(async () => {
  world = await startPullerWorld({ name: 'helm-records', bucket: BUCKET, queues, clusters: ['reports'] });
  ({ dir, keys } = world);
});

afterAll(() => world?.close());

let seq = 0;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };
let generation = 0;
let kubeconfig: string;
let home: string;

beforeEach(async () => {
  kube = await startKubeApiServer({ namespaces: ['apps', 'flux-system'] });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig());
  clock = { t: Date.parse('2026-06-01T12:00:00Z') };
  deps = pullerDeps(world, {
    cluster: `helm${++seq}-${process.pid}`,
    kube: new ClientNodeCluster(kc),
    clock,
    queues: { cluster: queues.cluster('unused'), reports: queues.reports('reports') },
  });
  await ensureInventoryNamespace(deps);
  kubeconfig = join(dir, `kubeconfig-${seq}`);
  writeFileSync(kubeconfig, kube.kubeconfig());
  home = mkdtempSync(join(dir, 'helm-home-'));
});

afterEach(() => kube.close());

// ---- fixtures ---------------------------------------------------------------------------------------

/** A release object as the render leaves it: Helm's ownership metadata, in the release namespace. */
function owned(obj: KubeObject, releaseName = 'small'): KubeObject {
  const meta = obj.metadata as { labels?: Record<string, string>; annotations?: Record<string, string> };
  return {
    ...obj,
    metadata: {
      ...meta,
      labels: { ...meta.labels, 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        ...meta.annotations,
        'meta.helm.sh/release-name': releaseName,
        'meta.helm.sh/release-namespace': 'apps',
      },
    },
  };
}

const configMap = (name: string, data: Record<string, string> = { name }): KubeObject =>
  owned({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' }, data });

function hookJob(
  name: string,
  events: string,
  opts: { weight?: number; policy?: string; outcome?: string } = {},
): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: 'apps',
      annotations: {
        'helm.sh/hook': events,
        ...(opts.weight !== undefined && { 'helm.sh/hook-weight': String(opts.weight) }),
        ...(opts.policy && { 'helm.sh/hook-delete-policy': opts.policy }),
        ...(opts.outcome && { [JOB_OUTCOME_ANNOTATION]: opts.outcome }),
      },
    },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'run', image: 'busybox:1.36', command: ['true'] }],
        },
      },
    },
  };
}

function hookConfigMap(name: string, events: string, weight: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: 'apps',
      annotations: { 'helm.sh/hook': events, 'helm.sh/hook-weight': String(weight) },
    },
    data: { hook: name },
  };
}

interface Publish {
  values?: Record<string, unknown>;
  hooks?: KubeObject[];
  crds?: KubeObject[];
  helm?: Partial<HelmReleaseApply>;
  /** Further apply options (driftIgnoreRules of driftDetection enabled). */
  apply?: Partial<ApplyOptions>;
}

/** The release's manifest as helm stores it: its objects, hooks and crds/ left out. */
const manifestOf = (objects: KubeObject[]) => `---\n${objectsToYaml(objects).replace(/---\n$/, '')}`;

/** What the control plane does for a rendered HelmRelease: sign the artifact, store it, point the index at it. */
async function publish(objects: KubeObject[], opts: Publish = {}): Promise<void> {
  generation++;
  const revision = revisionOf(generation);
  const helm: HelmReleaseApply = {
    releaseName: 'small',
    namespace: 'apps',
    storageNamespace: 'apps',
    chart: {
      name: 'small',
      version: '0.1.0',
      appVersion: '1.0',
      metadata: { apiVersion: 'v2', name: 'small', version: '0.1.0', appVersion: '1.0' },
    },
    values: opts.values ?? { greeting: 'hello' },
    manifest: manifestOf(objects),
    disableHooks: false,
    createNamespace: false,
    crds: 'Create',
    maxHistory: 5,
    keepHistory: false,
    uninstallDisableHooks: false,
    timeoutMs: 20_000,
    description: revision,
    ...opts.helm,
  };
  const payload = testArtifact(
    deps.cluster,
    RELEASE,
    generation,
    [...(opts.crds ?? []), ...objects, ...(opts.hooks ?? [])],
    { helm, ...opts.apply },
  );
  await storeAndIndex(deps, RELEASE, await signArtifact(payload, keys), { revision, publishedAt: clock.t });
}

async function tombstone(): Promise<void> {
  generation++;
  const payload = testTombstone(deps.cluster, RELEASE, generation);
  await storeAndIndex(deps, RELEASE, await signArtifact(payload, keys), {
    revision: payload.revision,
    publishedAt: clock.t,
  });
}

async function reconcile(): Promise<ApplyReport> {
  const [report] = await reconcileCluster(deps);
  if (!report) throw new Error('no report');
  return report;
}

/** The bundled helm against the test API server. */
async function helm(...args: string[]): Promise<string> {
  return (await runHelm([...args, '--kubeconfig', kubeconfig], { home })).stdout;
}
const helmJson = async <T>(...args: string[]): Promise<T> =>
  JSON.parse(await helm(...args, '-o', 'json')) as T;

interface Listed {
  name: string;
  namespace: string;
  revision: string;
  status: string;
  chart: string;
  app_version: string;
}
interface HistoryEntry {
  revision: number;
  status: string;
  chart: string;
  description: string;
}
const history = (name = 'small') => helmJson<HistoryEntry[]>('history', name, '-n', 'apps');
const statuses = async (name = 'small') => (await history(name)).map((h) => [h.revision, h.status]);

const live = (kind: string, name: string, apiVersion = 'v1') => kube.object(apiVersion, kind, name, 'apps');

// ---- behaviour --------------------------------------------------------------------------------------

describe('HelmRelease apply: the release records helm reads', () => {
  it('installs: helm list, history, get values and get manifest read the record the puller wrote', async () => {
    const objects = [configMap('small-config', { greeting: 'hello' })];
    await publish(objects, { values: { greeting: 'hello', nested: { replicas: 2 } } });
    expect(await reconcile()).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });

    const listed = await helmJson<Listed[]>('list', '-A');
    expect(listed).toEqual([
      expect.objectContaining({
        name: 'small',
        namespace: 'apps',
        revision: '1',
        status: 'deployed',
        chart: 'small-0.1.0',
        app_version: '1.0',
      }),
    ]);
    expect(await history()).toEqual([
      expect.objectContaining({
        revision: 1,
        status: 'deployed',
        chart: 'small-0.1.0',
        description: expect.stringMatching(/^Install complete/),
      }),
    ]);
    expect(await helmJson('get', 'values', 'small', '-n', 'apps')).toEqual({
      greeting: 'hello',
      nested: { replicas: 2 },
    });
    expect(await helm('get', 'manifest', 'small', '-n', 'apps')).toBe(`${manifestOf(objects)}\n`);
    expect(live('ConfigMap', 'small-config')?.data).toEqual({ greeting: 'hello' });
    // The record is helm's: Secret type and labels as helm's storage driver writes them.
    expect(kube.object('v1', 'Secret', 'sh.helm.release.v1.small.v1', 'apps')).toMatchObject({
      type: 'helm.sh/release.v1',
      metadata: { labels: { name: 'small', owner: 'helm', status: 'deployed', version: '1' } },
    });
  });

  it('upgrades: a new artifact is revision 2 and revision 1 is superseded; a drift re-apply writes no record', async () => {
    await publish([configMap('small-config', { greeting: 'hello' })]);
    await reconcile();
    await publish([configMap('small-config', { greeting: 'bonjour' })], { values: { greeting: 'bonjour' } });
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(await statuses()).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    expect((await history()).at(-1)?.description).toMatch(/^Upgrade complete/);
    expect(await helmJson('get', 'values', 'small', '-n', 'apps')).toEqual({ greeting: 'bonjour' });
    expect(live('ConfigMap', 'small-config')?.data).toEqual({ greeting: 'bonjour' });

    clock.t += TEST_INTERVAL_MS;
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(await statuses()).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
  });

  it('a drift re-apply reports what was edited by hand and leaves driftDetection.ignore fields alone', async () => {
    await publish([configMap('small-config', { greeting: 'hello', mode: 'quiet' })], {
      apply: { driftIgnoreRules: [{ paths: ['/data/mode'], target: { kind: 'ConfigMap' } }] },
    });
    expect(await reconcile()).toMatchObject({ ready: true });
    const res = await fetch(
      `${kube.url}/api/v1/namespaces/apps/configmaps/small-config?fieldManager=kubectl-edit`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ data: { greeting: 'edited', mode: 'loud' } }),
      },
    );
    expect(res.status).toBe(200);

    clock.t += TEST_INTERVAL_MS;
    const report = await reconcile();
    expect(report).toMatchObject({ ready: true });
    expect(report.drift).toEqual({
      objects: 1,
      corrected: [{ object: 'ConfigMap/apps/small-config', fields: ['.data.greeting'] }],
    });
    expect(live('ConfigMap', 'small-config')?.data).toEqual({ greeting: 'hello', mode: 'loud' });
    expect(await statuses()).toEqual([[1, 'deployed']]);
  });

  it('driftDetection.mode warn: a pass reports what was edited or deleted by hand and writes nothing', async () => {
    await publish([configMap('small-config', { greeting: 'hello' }), configMap('small-extra', { a: '1' })], {
      apply: { correctDrift: false, driftMode: 'warn' },
    });
    expect(await reconcile()).toMatchObject({ ready: true });
    const edited = await fetch(
      `${kube.url}/api/v1/namespaces/apps/configmaps/small-config?fieldManager=kubectl-edit`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ data: { greeting: 'edited' } }),
      },
    );
    expect(edited.status).toBe(200);
    const deleted = await fetch(`${kube.url}/api/v1/namespaces/apps/configmaps/small-extra`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);

    clock.t += TEST_INTERVAL_MS;
    const report = await reconcile();
    expect(report).toMatchObject({ ready: true });
    expect(report.drift).toEqual({
      objects: 2,
      notCorrected: true,
      corrected: [
        { object: 'ConfigMap/apps/small-config', fields: ['.data.greeting'] },
        { object: 'ConfigMap/apps/small-extra', fields: [], deleted: true },
      ],
    });
    expect(report.message).toContain(
      'drift detected, not corrected (driftDetection.mode: warn), in 2 objects: ConfigMap/apps/small-config (.data.greeting), ConfigMap/apps/small-extra (deleted)',
    );
    expect(live('ConfigMap', 'small-config')?.data).toEqual({ greeting: 'edited' });
    expect(live('ConfigMap', 'small-extra')).toBeUndefined();
    expect(await statuses()).toEqual([[1, 'deployed']]);
  });

  it('keeps at most maxHistory records, the deployed one always', async () => {
    for (const greeting of ['a', 'b', 'c', 'd']) {
      await publish([configMap('small-config', { greeting })], {
        values: { greeting },
        helm: { maxHistory: 2 },
      });
      expect(await reconcile()).toMatchObject({ ready: true });
    }
    expect(await statuses()).toEqual([
      [3, 'superseded'],
      [4, 'deployed'],
    ]);
    expect(kube.objects({ kind: 'Secret', namespace: 'apps' }).map((s) => s.metadata.name)).toEqual([
      'sh.helm.release.v1.small.v3',
      'sh.helm.release.v1.small.v4',
    ]);
  });

  it('prunes objects a new revision dropped, never the CRDs from crds/', async () => {
    const crd = widgetCrd({ annotations: { [FROM_CRDS_DIR]: 'true' } });
    await publish([configMap('kept'), configMap('dropped')], { crds: [crd] });
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(
      kube.object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    ).toBeDefined();

    // The upgrade's render skips CRDs (Flux's default for upgrades) and drops one object.
    await publish([configMap('kept')], { helm: { crds: 'Skip' } });
    expect(await reconcile()).toMatchObject({ ready: true, pruned: 1 });
    expect(live('ConfigMap', 'dropped')).toBeUndefined();
    expect(live('ConfigMap', 'kept')).toBeDefined();
    expect(
      kube.object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    ).toBeDefined();

    await tombstone();
    await reconcile();
    expect(live('ConfigMap', 'kept')).toBeUndefined();
    expect(
      kube.object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    ).toBeDefined();
  });

  it('keeps the records in storageNamespace, naming the release namespace in them', async () => {
    await publish([configMap('small-config')], { helm: { storageNamespace: 'flux-system' } });
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(await helmJson<Listed[]>('list', '-A')).toEqual([
      expect.objectContaining({ name: 'small', namespace: 'apps', revision: '1' }),
    ]);
    expect(await helmJson<HistoryEntry[]>('history', 'small', '-n', 'flux-system')).toHaveLength(1);
    expect(kube.objects({ kind: 'Secret', namespace: 'apps' })).toEqual([]);
  });

  it('creates the release namespace with createNamespace', async () => {
    const obj = owned({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'fresh' },
      data: {},
    });
    await publish([obj], { helm: { namespace: 'fresh', createNamespace: true } });
    // The objects name 'apps' as their release namespace; only the namespace matters here.
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(kube.object('v1', 'Namespace', 'fresh')).toBeDefined();
    expect(kube.object('v1', 'ConfigMap', 'c', 'fresh')).toBeDefined();
  });
});

describe('HelmRelease hooks', () => {
  it('runs pre-install hooks by weight before the release objects and post-install after; never inventories them', async () => {
    await publish([configMap('small-config')], {
      hooks: [
        hookConfigMap('pre-b', 'pre-install', 5),
        hookConfigMap('pre-a', 'pre-install', -3),
        hookConfigMap('pre-c', 'pre-install', 0),
        hookJob('post-job', 'post-install', { policy: 'hook-succeeded' }),
        hookConfigMap('on-upgrade', 'pre-upgrade', 0),
      ],
    });
    kube.requests.length = 0;
    expect(await reconcile()).toMatchObject({ ready: true });
    const applied = kube.requests
      .filter((r) => r.method === 'PATCH' && r.status < 300 && r.path.includes('/namespaces/apps/'))
      .map((r) => r.path.split('/').at(-1));
    expect(applied.filter((n) => n !== 'sh.helm.release.v1.small.v1')).toEqual([
      'pre-a',
      'pre-c',
      'pre-b',
      'small-config',
      'post-job',
    ]);
    // hook-succeeded deleted the Job; the default (before-hook-creation) leaves a hook in place.
    expect(live('Job', 'post-job', 'batch/v1')).toBeUndefined();
    expect(live('ConfigMap', 'pre-a')).toBeDefined();
    expect(live('ConfigMap', 'on-upgrade')).toBeUndefined();
    // The release record lists its hooks, as `helm get hooks` shows them.
    const hooks = await helm('get', 'hooks', 'small', '-n', 'apps');
    for (const name of ['pre-a', 'pre-b', 'pre-c', 'post-job', 'on-upgrade'])
      expect(hooks).toContain(`"name": "${name}"`);

    // Hooks are never pruned: the next revision (an upgrade) drops them all.
    await publish([configMap('small-config')]);
    expect(await reconcile()).toMatchObject({ ready: true, pruned: 0 });
    expect(live('ConfigMap', 'pre-a')).toBeDefined();
  });

  it('runs pre-upgrade hooks on later revisions, deleting the earlier hook object first', async () => {
    await publish([configMap('small-config')]);
    await reconcile();
    const job = hookJob('migrate', 'pre-install,pre-upgrade');
    await publish([configMap('small-config', { v: '2' })], { hooks: [job] });
    expect(await reconcile()).toMatchObject({ ready: true });
    const first = live('Job', 'migrate', 'batch/v1')?.metadata.uid;
    expect(first).toBeDefined();
    await publish([configMap('small-config', { v: '3' })], { hooks: [job] });
    expect(await reconcile()).toMatchObject({ ready: true });
    const second = live('Job', 'migrate', 'batch/v1')?.metadata.uid;
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });

  it('a failing pre-upgrade hook Job fails the release: reported, nothing applied or pruned, the record failed', async () => {
    await publish([configMap('kept'), configMap('would-be-pruned')]);
    await reconcile();
    await publish([configMap('kept', { v: '2' })], {
      hooks: [hookJob('migrate', 'pre-upgrade', { outcome: 'Failed', policy: 'hook-failed' })],
    });
    const report = await reconcile();
    expect(report).toMatchObject({ ready: false, reason: 'ReconciliationFailed', pruned: 0 });
    expect(report.message).toContain('Job/apps/migrate');
    expect(report.message).toContain('BackoffLimitExceeded');
    expect(live('ConfigMap', 'would-be-pruned')).toBeDefined();
    expect(live('ConfigMap', 'kept')?.data).toEqual({ name: 'kept' });
    // hook-failed: the failed Job is deleted.
    expect(live('Job', 'migrate', 'batch/v1')).toBeUndefined();
    expect(await statuses()).toEqual([
      [1, 'deployed'],
      [2, 'failed'],
    ]);
  });

  it('a failing pre-install hook fails the first release', async () => {
    await publish([configMap('small-config')], {
      hooks: [hookJob('init', 'pre-install', { outcome: 'Failed' })],
    });
    expect(await reconcile()).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
    expect(live('ConfigMap', 'small-config')).toBeUndefined();
    expect(await statuses()).toEqual([[1, 'failed']]);
  });

  it('a hook Job that never finishes fails the release once the release timeout runs out; the retry installs again', async () => {
    await publish([configMap('small-config')], {
      hooks: [hookJob('slow', 'pre-install', { outcome: 'Running' })],
      helm: { timeoutMs: 500 },
    });
    const report = await reconcile();
    expect(report).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
    expect(report.message).toContain('Job/apps/slow');
    expect(await statuses()).toEqual([[1, 'failed']]);

    // The fixed chart: the failed first install is installed again (pre-install, not pre-upgrade).
    await publish([configMap('small-config')], { hooks: [hookJob('slow', 'pre-install')] });
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(await statuses()).toEqual([
      [1, 'failed'],
      [2, 'deployed'],
    ]);
    expect((await history()).at(-1)?.description).toMatch(/^Install complete/);
  });

  it('disableHooks runs none', async () => {
    await publish([configMap('small-config')], {
      hooks: [hookJob('init', 'pre-install', { outcome: 'Failed' })],
      helm: { disableHooks: true },
    });
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(live('Job', 'init', 'batch/v1')).toBeUndefined();
  });
});

describe('HelmRelease uninstall', () => {
  it('a tombstone runs pre- and post-delete hooks, deletes the objects and the records', async () => {
    await publish([configMap('small-config')], {
      hooks: [hookConfigMap('goodbye', 'pre-delete', 0), hookConfigMap('after', 'post-delete', 0)],
    });
    await reconcile();
    expect(live('ConfigMap', 'goodbye')).toBeUndefined();
    await tombstone();
    expect(await reconcile()).toMatchObject({ ready: true, reason: 'Pruned', pruned: 1 });
    expect(live('ConfigMap', 'small-config')).toBeUndefined();
    expect(live('ConfigMap', 'goodbye')).toBeDefined();
    expect(live('ConfigMap', 'after')).toBeDefined();
    expect(await helmJson('list', '-A')).toEqual([]);
    await expect(helm('history', 'small', '-n', 'apps')).rejects.toThrow(/not found/);
  });

  it('a failing pre-delete hook stops the uninstall: objects and records stay, the next round tries again', async () => {
    await publish([configMap('small-config')], {
      hooks: [hookJob('drain', 'pre-delete', { outcome: 'Failed' })],
    });
    await reconcile();
    await tombstone();
    const report = await reconcile();
    expect(report).toMatchObject({ ready: false, reason: 'ReconciliationFailed', pruned: 0 });
    expect(report.message).toContain('pre-delete hook Job/apps/drain failed');
    expect(live('ConfigMap', 'small-config')).toBeDefined();
    expect(await statuses()).toEqual([[1, 'deployed']]);
  });

  it('keepHistory keeps the records, the last one uninstalled', async () => {
    await publish([configMap('small-config')], { helm: { keepHistory: true } });
    await reconcile();
    await publish([configMap('small-config', { v: '2' })], { helm: { keepHistory: true } });
    await reconcile();
    await tombstone();
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(live('ConfigMap', 'small-config')).toBeUndefined();
    expect(await statuses()).toEqual([
      [1, 'superseded'],
      [2, 'uninstalled'],
    ]);
    // helm 4 lists uninstalled releases unless asked for deployed ones only.
    expect(await helmJson<Listed[]>('list', '-A')).toEqual([
      expect.objectContaining({ name: 'small', status: 'uninstalled', revision: '2' }),
    ]);
    expect(await helmJson('list', '-A', '--deployed')).toEqual([]);
  });
});

describe('adopting a release helm installed', () => {
  it('continues its history: the next apply is revision 2, its objects are not recreated', async () => {
    const chart = await writeChart(join(dir, `chart-${seq}`), {
      name: 'small',
      version: '0.1.0',
      appVersion: '1.0',
      values: 'greeting: hello\n',
    });
    // The stand-in serves no OpenAPI document, which helm's client-side validation asks for.
    await helm('install', 'small', chart, '-n', 'apps', '--disable-openapi-validation');
    expect(await statuses()).toEqual([[1, 'deployed']]);
    const uid = live('ConfigMap', 'small-small')?.metadata.uid;
    expect(uid).toBeDefined();

    // What Sluice renders for the same chart: helm's ownership metadata, as helm install set it.
    await publish([configMap('small-small', { greeting: 'bonjour', chartVersion: '0.1.0' })], {
      values: { greeting: 'bonjour' },
    });
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(await statuses()).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    expect(live('ConfigMap', 'small-small')?.metadata.uid).toBe(uid);
    expect(live('ConfigMap', 'small-small')?.data).toMatchObject({ greeting: 'bonjour' });
    expect(await helmJson('get', 'values', 'small', '-n', 'apps')).toEqual({ greeting: 'bonjour' });

    // And helm carries on from Sluice's record (taking over the fields Sluice's field manager applied).
    await helm(
      'upgrade',
      'small',
      chart,
      '-n',
      'apps',
      '--disable-openapi-validation',
      '--force-conflicts',
      '--set',
      'greeting=hej',
    );
    expect(await statuses()).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'deployed'],
    ]);
  });
});
