// Drift detection and correction by the real puller against the test Kubernetes API server, as Flux's
// kustomize-controller does it: at each interval a server-side apply dry run per object, written only when
// it differs from the live object; edits and deletions by hand are corrected and reported (object and field
// paths), spec.ignore rules leave named fields alone, and fields another field manager set are reported
// as conflicts and taken over.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import type { ApplyOptions } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import type { ObjectKey } from '../../shared/core/pipeline/state-keys.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { noPullerMetrics } from '../../shared/ports/puller-metrics.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { publishSuspension } from '../../shared/usecases/publish-suspension.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import {
  type PullerWorld,
  pullerDeps,
  revisionOf,
  startPullerWorld,
  storeAndIndex,
  TEST_INTERVAL_MS,
  testArtifact,
} from '../support/puller-world.ts';

const queues = defaultQueueNames('puller-drift');
const APPS: ObjectKey = { namespace: 'flux-system', name: 'apps' };

let world: PullerWorld;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };
let generation = 0;
let clusterSeq = 0;
let driftMetric: { target: string; objects: number }[];

beforeAll(async () => {
  world = await startPullerWorld({
    name: 'puller-drift',
    bucket: 'sluice-drift',
    queues,
    clusters: ['reports'],
  });
});
afterAll(() => world?.close());

beforeEach(async () => {
  kube = await startKubeApiServer({ namespaces: ['apps'] });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig());
  clock = { t: Date.parse('2025-06-01T12:00:00Z') };
  driftMetric = [];
  deps = {
    ...pullerDeps(world, {
      cluster: `drift${++clusterSeq}-${process.pid}`,
      kube: new ClientNodeCluster(kc),
      clock,
      queues: { cluster: queues.cluster('unused'), reports: queues.reports('reports') },
    }),
    metrics: {
      ...noPullerMetrics,
      driftCorrected(target: Target, objects: number) {
        driftMetric.push({ target: `${target.namespace}/${target.name}`, objects });
      },
    },
  };
  await ensureInventoryNamespace(deps);
});
afterEach(() => kube.close());

// ---- fixtures ---------------------------------------------------------------------------------------

function owned(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  setOwnerLabels(copy, APPS);
  return copy;
}

const configMap = (name: string, data: Record<string, string> = { color: 'blue' }): KubeObject =>
  owned({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' }, data });

const deployment = (name: string, replicas = 1): KubeObject =>
  owned({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'apps' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
    },
  });

async function publish(objects: KubeObject[], apply: Partial<ApplyOptions> = {}): Promise<void> {
  generation++;
  const payload = testArtifact(deps.cluster, { ...APPS, kind: 'Kustomization' }, generation, objects, apply);
  const signed = await signArtifact(payload, world.keys);
  await storeAndIndex(deps, payload.target, signed, {
    revision: revisionOf(generation),
    publishedAt: clock.t,
  });
}

/** One pass of the puller, `after` ms later; its report for APPS (undefined when it had nothing to do). */
async function reconcileAfter(after: number): Promise<ApplyReport | undefined> {
  clock.t += after;
  const reports = await reconcileCluster(deps);
  return reports.find((r) => r.target.name === APPS.name);
}

const pathOf = (kind: 'ConfigMap' | 'Deployment' | 'Secret', name: string) =>
  kind === 'Deployment'
    ? `/apis/apps/v1/namespaces/apps/deployments/${name}`
    : `/api/v1/namespaces/apps/${kind.toLowerCase()}s/${name}`;

/** Someone else's server-side apply (`kubectl apply --server-side --force-conflicts --field-manager=...`). */
async function applyAs(manager: string, obj: KubeObject): Promise<void> {
  const kind = obj.kind as 'ConfigMap' | 'Deployment' | 'Secret';
  const name = (obj.metadata as { name: string }).name;
  const res = await fetch(`${kube.url}${pathOf(kind, name)}?fieldManager=${manager}&force=true`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml' },
    body: JSON.stringify(obj),
  });
  expect(res.status).toBeLessThan(300);
}

/** `kubectl edit`: a merge patch by manager kubectl-edit. */
async function editByHand(kind: 'ConfigMap' | 'Deployment' | 'Secret', name: string, patch: object) {
  const res = await fetch(`${kube.url}${pathOf(kind, name)}?fieldManager=kubectl-edit`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify(patch),
  });
  expect(res.status).toBe(200);
}

/** Requests of the workload objects (not the puller's inventory), split into writes and the rest. */
function requestsOfObjects() {
  const mine = kube.requests.filter((r) => r.path.includes('/namespaces/apps/'));
  return {
    total: mine.length,
    writes: mine.filter((r) => r.method !== 'GET' && r.query.dryRun !== 'All').length,
    dryRuns: mine.filter((r) => r.query.dryRun === 'All').length,
  };
}

const liveData = (name: string) =>
  (kube.object('v1', 'ConfigMap', name, 'apps')?.data as Record<string, string> | undefined) ?? undefined;
const liveReplicas = (name: string) =>
  (kube.object('apps/v1', 'Deployment', name, 'apps')?.spec as { replicas?: number } | undefined)?.replicas;

// ---- behaviour --------------------------------------------------------------------------------------

describe('drift at the interval', () => {
  it('writes nothing when nothing drifted: one read and one dry run per object', async () => {
    // A Secret given as stringData too: the API server folds it into data, which is no drift.
    const secret = owned({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'apps' },
      stringData: { token: 'abc' },
    });
    await publish([configMap('one'), configMap('two'), deployment('web'), secret]);
    await reconcileAfter(0);
    kube.requests.length = 0;

    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded', applied: 0 });
    expect(report?.drift).toBeUndefined();
    expect(report?.message).toContain('(0 created, 0 configured, 4 unchanged, 0 pruned)');
    expect(requestsOfObjects()).toEqual({ total: 8, writes: 0, dryRuns: 4 });
    expect(driftMetric).toEqual([]);
  });

  it('corrects a field edited by hand and reports the object and the field', async () => {
    await publish([configMap('settings', { color: 'blue', size: 'L' }), configMap('other')]);
    await reconcileAfter(0);
    await editByHand('ConfigMap', 'settings', { data: { color: 'red' } });

    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded', applied: 1 });
    expect(report?.drift).toEqual({
      objects: 1,
      corrected: [{ object: 'ConfigMap/apps/settings', fields: ['.data.color'] }],
    });
    expect(report?.message).toContain('drift corrected in 1 object: ConfigMap/apps/settings (.data.color)');
    // `kubectl edit` owned what it changed; as in Flux, kubectl's ownership is handed back first: no conflict.
    expect(report?.conflicts).toBeUndefined();
    expect(liveData('settings')).toEqual({ color: 'blue', size: 'L' });
    expect(driftMetric).toEqual([{ target: 'flux-system/apps', objects: 1 }]);
  });

  it('recreates an object deleted by hand and reports it as recreated', async () => {
    await publish([configMap('settings'), deployment('web')]);
    await reconcileAfter(0);
    await deps.kube.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'web' });

    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report?.drift).toEqual({
      objects: 1,
      corrected: [{ object: 'Deployment/apps/web', fields: [], recreated: true }],
    });
    expect(report?.message).toContain('Deployment/apps/web (recreated)');
    expect(kube.object('apps/v1', 'Deployment', 'web', 'apps')).toBeDefined();
  });

  it('does not call the changes of a new revision drift', async () => {
    await publish([configMap('settings')]);
    await reconcileAfter(0);
    await publish([configMap('settings', { color: 'green' })]);
    const report = await reconcileAfter(1000);
    expect(report).toMatchObject({ ready: true, applied: 1 });
    expect(report?.drift).toBeUndefined();
    expect(liveData('settings')).toEqual({ color: 'green' });
  });
});

describe('spec.ignore (drift ignore rules)', () => {
  const replicasOfDeployments = {
    driftIgnoreRules: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }],
  };

  it('leaves an ignored field another controller set alone: not reverted, not reported, not written', async () => {
    await publish([deployment('web', 2)], replicasOfDeployments);
    await reconcileAfter(0);
    // An autoscaler's server-side apply of the replicas.
    await applyAs('hpa-controller', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'apps' },
      spec: { replicas: 5 },
    } as KubeObject);
    kube.requests.length = 0;

    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report).toMatchObject({ ready: true, applied: 0 });
    expect(report?.drift).toBeUndefined();
    expect(liveReplicas('web')).toBe(5);
    expect(requestsOfObjects().writes).toBe(0);
  });

  it('still corrects the other fields of that object, keeping the ignored one', async () => {
    await publish([deployment('web', 2)], replicasOfDeployments);
    await reconcileAfter(0);
    await applyAs('hpa-controller', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'apps' },
      spec: { replicas: 5 },
    } as KubeObject);
    await editByHand('Deployment', 'web', {
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } },
    });

    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report?.drift?.corrected).toEqual([
      { object: 'Deployment/apps/web', fields: ['.spec.template.spec.containers[0].image'] },
    ]);
    expect(report?.conflicts).toBeUndefined();
    expect(liveReplicas('web')).toBe(5);
    expect(kube.object('apps/v1', 'Deployment', 'web', 'apps')?.spec).toMatchObject({
      template: { spec: { containers: [{ image: 'nginx:1.27' }] } },
    });
  });

  it('keeps an ignored field edited by hand that only the puller had applied (its live value is applied)', async () => {
    await publish([deployment('web', 2), configMap('settings')], replicasOfDeployments);
    await reconcileAfter(0);
    await editByHand('Deployment', 'web', { spec: { replicas: 7 } });

    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report?.drift).toBeUndefined();
    expect(liveReplicas('web')).toBe(7);
  });

  it('applies only to the objects its target selects', async () => {
    await publish([deployment('web', 2)], {
      driftIgnoreRules: [{ paths: ['/spec/replicas'], target: { kind: 'StatefulSet' } }],
    });
    await reconcileAfter(0);
    await editByHand('Deployment', 'web', { spec: { replicas: 7 } });
    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report?.drift?.corrected).toEqual([{ object: 'Deployment/apps/web', fields: ['.spec.replicas'] }]);
    expect(liveReplicas('web')).toBe(2);
  });
});

describe('field manager conflicts', () => {
  it('reports the field and the other manager, takes over only that field, and stays Ready', async () => {
    // An operator set the field first, to another value, and a field of its own.
    await applyAs('ops-operator', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'apps' },
      data: { color: 'red', owner: 'ops' },
    } as KubeObject);
    await publish([configMap('settings', { color: 'blue' })]);

    const report = await reconcileAfter(0);
    expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
    expect(report?.conflicts).toEqual([
      { object: 'ConfigMap/apps/settings', manager: 'ops-operator', fields: ['.data.color'] },
    ]);
    expect(report?.message).toContain(
      'field manager conflicts taken over: ConfigMap/apps/settings .data.color from "ops-operator"',
    );
    // Ours now; the operator's own field stays, and so does its ownership of it.
    expect(liveData('settings')).toEqual({ color: 'blue', owner: 'ops' });
    const managers = (kube.object('v1', 'ConfigMap', 'settings', 'apps')?.metadata.managedFields ?? []).map(
      (e) => e.manager,
    );
    expect(managers).toEqual(expect.arrayContaining(['ops-operator', 'sluice']));
  });

  it("takes kubectl's fields over as Flux does: what kubectl changed is reverted and what it added removed", async () => {
    await publish([configMap('settings', { color: 'blue' })]);
    await reconcileAfter(0);
    await applyAs('kubectl', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'apps' },
      data: { color: 'red', added: 'by-hand' },
    } as KubeObject);

    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report?.conflicts).toBeUndefined();
    expect(report?.drift?.corrected).toEqual([
      { object: 'ConfigMap/apps/settings', fields: ['.data.added', '.data.color'] },
    ]);
    expect(liveData('settings')).toEqual({ color: 'blue' });
  });

  it('leaves kubectl its fields on an object marked ssa: Merge, reporting the conflict it takes over', async () => {
    const merged = configMap('settings', { color: 'blue' });
    (merged.metadata as { annotations?: Record<string, string> }).annotations = {
      'kustomize.toolkit.fluxcd.io/ssa': 'Merge',
    };
    await publish([merged]);
    await reconcileAfter(0);
    await applyAs('kubectl', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'apps' },
      data: { color: 'red', added: 'by-hand' },
    } as KubeObject);

    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report?.conflicts).toEqual([
      { object: 'ConfigMap/apps/settings', manager: 'kubectl', fields: ['.data.color'] },
    ]);
    expect(liveData('settings')).toEqual({ color: 'blue', added: 'by-hand' });
  });

  it('tries without force first: the forced apply follows only a conflict', async () => {
    await publish([configMap('settings')]);
    await reconcileAfter(0);
    const applies = kube.requests.filter(
      (r) => r.method === 'PATCH' && r.path.endsWith('/configmaps/settings'),
    );
    expect(applies.map((r) => r.query.force ?? 'false')).toEqual(['false']);
  });

  it('reports no conflict when another manager set the same value', async () => {
    await applyAs('kubectl', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'apps' },
      data: { color: 'blue' },
    } as KubeObject);
    await publish([configMap('settings', { color: 'blue' })]);
    const report = await reconcileAfter(0);
    expect(report?.conflicts).toBeUndefined();
  });
});

describe('spec.suspend', () => {
  it('stops applying and correcting, says Suspended once, and resumes with the next artifact', async () => {
    const objects = [configMap('settings'), deployment('web')];
    await publish(objects);
    await reconcileAfter(0);
    await publish(objects, { suspend: true });
    await editByHand('ConfigMap', 'settings', { data: { color: 'red' } });
    await deps.kube.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'web' });
    kube.requests.length = 0;

    const report = await reconcileAfter(TEST_INTERVAL_MS);
    expect(report).toMatchObject({ ready: true, reason: 'Suspended', suspended: true });
    expect(report?.message).toContain('reconciliation is suspended (spec.suspend: true)');
    expect(requestsOfObjects()).toEqual({ total: 0, writes: 0, dryRuns: 0 });
    expect(liveData('settings')).toEqual({ color: 'red' });
    // Reported once: later passes stay quiet and still leave the cluster alone.
    expect(await reconcileAfter(TEST_INTERVAL_MS)).toBeUndefined();
    expect(kube.object('apps/v1', 'Deployment', 'web', 'apps')).toBeUndefined();

    await publish(objects);
    const resumed = await reconcileAfter(1000);
    expect(resumed).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
    expect(resumed?.suspended).toBeUndefined();
    expect(liveData('settings')).toEqual({ color: 'blue' });
    expect(kube.object('apps/v1', 'Deployment', 'web', 'apps')).toBeDefined();
  });
});

describe('the control plane suspending a target', () => {
  const controlPlane = () =>
    ({
      store: world.store,
      queue: world.queue,
      queues: { ...queues, cluster: () => queues.cluster('reports') },
      keys: world.keys,
      clock: { now: () => clock.t },
      log: { info() {}, warn() {}, error() {} },
    }) as unknown as Parameters<typeof publishSuspension>[0];
  const currentEntry = () =>
    stateOf({ store: world.store }).getIndexEntry(deps.cluster, { ...APPS, kind: 'Kustomization' });

  it('signs the published record again with suspend, and the puller reports Suspended', async () => {
    await publish([configMap('settings')]);
    await reconcileAfter(0);
    const target = { ...APPS, kind: 'Kustomization' as const };
    const first = await publishSuspension(controlPlane(), deps.cluster, target, await currentEntry());
    expect(first.outcome).toBe('published');
    // Already suspended: nothing more to sign.
    expect(
      (await publishSuspension(controlPlane(), deps.cluster, target, await currentEntry())).outcome,
    ).toBe('unchanged');
    const report = await reconcileAfter(1000);
    expect(report).toMatchObject({ reason: 'Suspended', ready: true, suspended: true, digest: first.digest });
  });

  it('refuses to sign again a record the store altered', async () => {
    await publish([configMap('settings')]);
    const entry = await currentEntry();
    const key = entry?.artifactKey as string;
    const stored = JSON.parse((await world.store.get(key))?.toString('utf8') ?? '{}');
    stored.payload.objects[0].data = { color: 'evil' };
    await world.store.put(key, Buffer.from(JSON.stringify(stored)));
    const target = { ...APPS, kind: 'Kustomization' as const };
    await expect(publishSuspension(controlPlane(), deps.cluster, target, entry)).rejects.toMatchObject({
      code: 'ArtifactRejected',
    });
  });
});
