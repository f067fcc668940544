// Moving a live cluster from Flux to Sluice: the objects Flux's controllers applied are adopted in place by
// the real puller (same object, no recreation, no conflict reported), their field ownership handed to the
// puller so that what the fleet drops later is removed; and going back, Flux's forced apply takes them back.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import type { ObjectKey } from '../../shared/core/pipeline/state-keys.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
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

const queues = defaultQueueNames('adopt-flux');
const APPS: ObjectKey = { namespace: 'flux-system', name: 'apps' };

let world: PullerWorld;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };
let generation = 0;
let clusterSeq = 0;

beforeAll(async () => {
  world = await startPullerWorld({
    name: 'adopt-flux',
    bucket: 'sluice-adopt',
    queues,
    clusters: ['reports'],
  });
});
afterAll(() => world?.close());

beforeEach(async () => {
  kube = await startKubeApiServer({ namespaces: ['apps'] });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig());
  clock = { t: Date.parse('2026-06-01T12:00:00Z') };
  deps = pullerDeps(world, {
    cluster: `adopt${++clusterSeq}-${process.pid}`,
    kube: new ClientNodeCluster(kc),
    clock,
    queues: { cluster: queues.cluster('unused'), reports: queues.reports('reports') },
  });
  await ensureInventoryNamespace(deps);
});
afterEach(() => kube.close());

/** What Flux applied: labelled with its Kustomization, as kustomize-controller labels everything. */
function configMap(data: Record<string, string>, name = 'settings'): KubeObject {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'apps' },
    data,
  };
  setOwnerLabels(obj, APPS);
  return obj;
}

/** kustomize-controller's server-side apply (it always forces ownership). */
async function applyAsFlux(obj: KubeObject): Promise<void> {
  const path = `/api/v1/namespaces/apps/configmaps/${(obj.metadata as { name: string }).name}`;
  const res = await fetch(`${kube.url}${path}?fieldManager=kustomize-controller&force=true`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml' },
    body: JSON.stringify(obj),
  });
  expect(res.status).toBeLessThan(300);
}

/** helm-controller's Helm client creates objects with a plain create (an Update entry in managedFields). */
async function createAsHelmController(obj: KubeObject): Promise<void> {
  const res = await fetch(`${kube.url}/api/v1/namespaces/apps/configmaps?fieldManager=helm-controller`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(obj),
  });
  expect(res.status).toBeLessThan(300);
}

async function publish(objects: KubeObject[]): Promise<void> {
  generation++;
  const payload = testArtifact(deps.cluster, { ...APPS, kind: 'Kustomization' }, generation, objects);
  const signed = await signArtifact(payload, world.keys);
  await storeAndIndex(deps, payload.target, signed, {
    revision: revisionOf(generation),
    publishedAt: clock.t,
  });
}

async function reconcileAfter(after: number): Promise<ApplyReport | undefined> {
  clock.t += after;
  const reports = await reconcileCluster(deps);
  return reports.find((r) => r.target.name === APPS.name);
}

const live = () => kube.object('v1', 'ConfigMap', 'settings', 'apps');
const managers = () => (live()?.metadata.managedFields ?? []).map((e) => e.manager);

describe('a cluster moved from Flux', () => {
  it('keeps the object kustomize-controller applied, takes its fields without a conflict, and drops what the fleet no longer sets', async () => {
    await applyAsFlux(configMap({ color: 'blue', legacy: 'set-by-an-older-commit' }));
    const uid = live()?.metadata.uid;

    await publish([configMap({ color: 'blue' })]);
    const report = await reconcileAfter(0);

    expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
    expect(report?.conflicts).toBeUndefined();
    expect(live()?.metadata.uid).toBe(uid);
    expect(live()?.data).toEqual({ color: 'blue' });
    expect(managers()).toEqual(['sluice']);
  });

  it('takes over what helm-controller created, so a value the fleet changes is changed', async () => {
    await createAsHelmController(configMap({ color: 'red' }));
    const uid = live()?.metadata.uid;
    await publish([configMap({ color: 'blue' })]);

    const report = await reconcileAfter(0);

    expect(report?.conflicts).toBeUndefined();
    expect(live()?.metadata.uid).toBe(uid);
    expect(live()?.data).toEqual({ color: 'blue' });
    expect(managers()).not.toContain('helm-controller');
  });

  it('leaves an object the fleet dropped before the first apply: the inventory starts at that apply', async () => {
    await applyAsFlux(configMap({ color: 'old' }, 'stale'));
    await publish([configMap({ color: 'blue' })]);

    expect(await reconcileAfter(0)).toMatchObject({ ready: true });
    expect(kube.object('v1', 'ConfigMap', 'stale', 'apps')).toBeDefined();
  });

  it('goes back to Flux: its forced apply takes the fields it sets again', async () => {
    await publish([configMap({ color: 'blue' })]);
    await reconcileAfter(0);

    await applyAsFlux(configMap({ color: 'green' }));

    expect(live()?.data).toEqual({ color: 'green' });
    const entries = live()?.metadata.managedFields ?? [];
    const fields = (manager: string) =>
      JSON.stringify(entries.find((e) => e.manager === manager)?.fieldsV1 ?? {});
    expect(fields('kustomize-controller')).toContain('"f:color"');
    // What both set to the same value (the owner labels) stays shared, as server-side apply keeps it.
    expect(fields('sluice')).not.toContain('"f:color"');
    expect(fields('sluice')).toContain('"f:kustomize.toolkit.fluxcd.io/name"');
    expect(fields('kustomize-controller')).toContain('"f:kustomize.toolkit.fluxcd.io/name"');
    // While a puller still runs it would correct Flux as drift, which is why the guide stops it first.
    await reconcileAfter(TEST_INTERVAL_MS);
    expect(live()?.data).toEqual({ color: 'blue' });
  });
});
