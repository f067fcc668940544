// A withdrawn Kustomization's signed tombstone carries its spec.deletionPolicy, and the puller honours it
// against the test Kubernetes API server as Flux's finalizer does: MirrorPrune follows spec.prune, Delete
// deletes regardless, WaitForTermination deletes and waits (naming what is left), Orphan and a suspended
// Kustomization leave everything.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApplyOptions, type TombstonePayload, targetOf } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { HelmReleaseApply } from '../../shared/core/helm/helm-release-apply.ts';
import type { ObjectKey } from '../../shared/core/pipeline/state-keys.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import { type KubeObject, objectsToYaml } from '../../shared/core/render/yaml-codec.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import type { KubeApiServer } from '../support/kube-api-server.ts';
import {
  type PullerWorld,
  revisionOf,
  startClusterPuller,
  startPullerWorld,
  storeAndIndex,
  testArtifact,
  testTombstone,
} from '../support/puller-world.ts';

const BUCKET = 'sluice-deletion-policy-test';
const queues = defaultQueueNames('deletion-policy-test');
const APPS: ObjectKey = { namespace: 'flux-system', name: 'apps' };

let world: PullerWorld;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };
let n = 0;
let clusterSeq = 0;

beforeAll(async () => {
  world = await startPullerWorld({ name: 'deletion-policy', bucket: BUCKET, queues, clusters: [] });
});
afterAll(() => world?.close());

beforeEach(async () => {
  clock = { t: Date.parse('2025-06-01T12:00:00Z') };
  ({ kube, deps } = await startClusterPuller(world, {
    cluster: `del${++clusterSeq}-${process.pid}`,
    bucket: BUCKET,
    queues,
    clock,
  }));
});
afterEach(() => kube.close());

function configMap(name: string, finalizers?: string[]): KubeObject {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'apps', ...(finalizers && { finalizers }) },
    data: { name },
  };
  setOwnerLabels(obj, APPS);
  return obj;
}

/** The control plane's publish of `apps`, applied by the puller. */
async function applied(
  objects: KubeObject[],
  apply: Partial<ApplyOptions> = {},
  target: Target = targetOf(APPS),
): Promise<void> {
  const payload = testArtifact(deps.cluster, target, ++n, objects, apply);
  const signed = await signArtifact(payload, world.keys);
  await storeAndIndex(deps, payload.target, signed, { revision: revisionOf(n), publishedAt: clock.t });
  const [report] = await reconcileCluster(deps);
  expect(report).toMatchObject({ ready: true });
}

/** The control plane's signed removal of `apps` with `terms`, and the puller's one report on it. */
async function withdrawn(terms: Partial<TombstonePayload> = {}, target: Target = targetOf(APPS)) {
  const payload = { ...testTombstone(deps.cluster, target, ++n), ...terms };
  const signed = await signArtifact(payload, world.keys);
  await storeAndIndex(deps, payload.target, signed, { revision: payload.revision, publishedAt: clock.t });
  const reports = await reconcileCluster(deps);
  expect(reports).toHaveLength(1);
  // Done once: the removal is recorded, and the next round has nothing to say.
  expect(await reconcileCluster(deps)).toEqual([]);
  return reports[0];
}

const live = (name: string) => kube.object('v1', 'ConfigMap', name, 'apps');

describe('a withdrawn Kustomization, by deletion policy', () => {
  it('MirrorPrune (no policy in the tombstone) with prune: true deletes its objects', async () => {
    await applied([configMap('a'), configMap('b')]);
    expect(await withdrawn()).toMatchObject({
      ready: true,
      reason: 'Pruned',
      pruned: 2,
      message: 'Kustomization removed from the fleet; deleted 2 objects (deletionPolicy MirrorPrune)',
    });
    expect(live('a')).toBeUndefined();
    expect(live('b')).toBeUndefined();
  });

  it('MirrorPrune with prune: false orphans its objects', async () => {
    await applied([configMap('a'), configMap('b')], { prune: false });
    expect(await withdrawn()).toMatchObject({
      ready: true,
      reason: 'Removed',
      pruned: 0,
      message:
        'Kustomization removed from the fleet; orphaned 2 objects (deletionPolicy MirrorPrune, and prune is false)',
    });
    expect(live('a')).toBeDefined();
  });

  it('Delete deletes its objects even with prune: false', async () => {
    await applied([configMap('a'), configMap('b')], { prune: false, deletionPolicy: 'Delete' });
    expect(await withdrawn({ deletionPolicy: 'Delete' })).toMatchObject({
      ready: true,
      reason: 'Pruned',
      pruned: 2,
      message: 'Kustomization removed from the fleet; deleted 2 objects (deletionPolicy Delete)',
    });
    expect(live('a')).toBeUndefined();
  });

  it.each([
    ['annotated', { annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'Ignore' } }],
    ['labelled', { labels: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } }],
  ])('Delete keeps an object %s in the cluster to opt out, as Flux', async (_how, metadata) => {
    await applied([configMap('a'), configMap('kept')], { deletionPolicy: 'Delete' });
    // Someone marks the live object by hand (kubectl annotate / label).
    await deps.kube.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', namespace: 'apps', ...metadata } },
      { fieldManager: 'kubectl' },
    );
    expect(await withdrawn({ deletionPolicy: 'Delete' })).toMatchObject({ ready: true, pruned: 1 });
    expect(live('a')).toBeUndefined();
    expect(live('kept')).toBeDefined();
  });

  it('Orphan leaves its objects even with prune: true', async () => {
    await applied([configMap('a'), configMap('b')], { deletionPolicy: 'Orphan' });
    expect(await withdrawn({ deletionPolicy: 'Orphan' })).toMatchObject({
      ready: true,
      reason: 'Removed',
      pruned: 0,
      message: 'Kustomization removed from the fleet; orphaned 2 objects (deletionPolicy Orphan)',
    });
    expect(live('a')).toBeDefined();
    expect(live('b')).toBeDefined();
  });

  it('a suspended Kustomization deletes nothing, whatever its policy, as Flux', async () => {
    await applied([configMap('a')]);
    expect(await withdrawn({ deletionPolicy: 'Delete', suspended: true })).toMatchObject({
      ready: true,
      reason: 'Removed',
      pruned: 0,
      message:
        'Kustomization removed from the fleet while suspended; orphaned 1 objects (a suspended Kustomization deletes nothing, as in Flux)',
    });
    expect(live('a')).toBeDefined();
  });

  it('WaitForTermination deletes and waits until the objects are gone', async () => {
    await applied([configMap('a'), configMap('b')]);
    expect(await withdrawn({ deletionPolicy: 'WaitForTermination', timeoutMs: 30_000 })).toMatchObject({
      ready: true,
      reason: 'Pruned',
      pruned: 2,
      message:
        'Kustomization removed from the fleet; deleted 2 objects (deletionPolicy WaitForTermination), all terminated',
    });
    expect(live('a')).toBeUndefined();
  });

  it('WaitForTermination names what still exists when spec.timeout runs out, and completes the removal as Flux', async () => {
    await applied([configMap('held', ['example.com/hold']), configMap('b')]);
    const started = clock.t;
    const report = await withdrawn({ deletionPolicy: 'WaitForTermination', timeoutMs: 10_000 });
    expect(report).toMatchObject({
      ready: false,
      reason: 'PruneFailed',
      pruned: 2,
      message:
        'Kustomization removed from the fleet; deleted 2 objects (deletionPolicy WaitForTermination); timeout after 10s waiting for termination of 1 objects: ConfigMap/apps/held',
    });
    // It waited on the puller's clock, polling every 2 s, up to the timeout.
    expect(clock.t - started).toBe(10_000);
    expect(live('held')?.metadata.deletionTimestamp).toBeDefined();
    expect(live('b')).toBeUndefined();
  });
});

describe('a withdrawn HelmRelease', () => {
  const RELEASE: Target = { kind: 'HelmRelease', namespace: 'flux-system', name: 'small' };
  const releaseConfig: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    // As helm's render leaves them: the release's ownership annotations, which its uninstall checks.
    metadata: {
      name: 'small-config',
      namespace: 'apps',
      annotations: { 'meta.helm.sh/release-name': 'small', 'meta.helm.sh/release-namespace': 'apps' },
    },
    data: { a: '1' },
  };
  const helm: HelmReleaseApply = {
    releaseName: 'small',
    namespace: 'apps',
    storageNamespace: 'apps',
    chart: {
      name: 'small',
      version: '0.1.0',
      metadata: { apiVersion: 'v2', name: 'small', version: '0.1.0' },
    },
    values: {},
    manifest: `---\n${objectsToYaml([releaseConfig])}`,
    disableHooks: false,
    createNamespace: false,
    crds: 'Create',
    maxHistory: 5,
    keepHistory: false,
    uninstallDisableHooks: false,
    timeoutMs: 20_000,
    description: 'test',
  };

  it('is uninstalled (a HelmRelease has no deletionPolicy)', async () => {
    await applied([releaseConfig], { helm }, RELEASE);
    expect(await withdrawn({}, RELEASE)).toMatchObject({ ready: true, reason: 'Pruned', pruned: 1 });
    expect(live('small-config')).toBeUndefined();
  });

  it('is left installed when it was suspended, as helm-controller skips the uninstall', async () => {
    await applied([releaseConfig], { helm }, RELEASE);
    expect(await withdrawn({ suspended: true }, RELEASE)).toMatchObject({
      ready: true,
      reason: 'Removed',
      message:
        "HelmRelease removed from the fleet while suspended; release 'small' left installed (1 objects), as Flux does",
    });
    expect(live('small-config')).toBeDefined();
    expect(kube.object('v1', 'Secret', 'sh.helm.release.v1.small.v1', 'apps')).toBeDefined();
  });
});
