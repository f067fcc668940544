// Faults at the puller, each against the test Kubernetes API server: the API server failing mid-apply and a
// namespace being deleted. The last good state stays, nothing is pruned wrongly, the status says why, and
// the target is retried (spec.retryInterval) until it applies.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { targetOf } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { ObjectKey } from '../../shared/core/pipeline/state-keys.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { PullerState, reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import type { KubeApiServer } from '../support/kube-api-server.ts';
import {
  type PullerWorld,
  revisionOf,
  startClusterPuller,
  startPullerWorld,
  storeAndIndex,
  testArtifact,
} from '../support/puller-world.ts';

const BUCKET = 'sluice-puller-faults';
const queues = defaultQueueNames('puller-faults');
const APPS: ObjectKey = { namespace: 'flux-system', name: 'apps' };

let world: PullerWorld;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };
let n = 0;
let published = 0;

beforeAll(async () => {
  world = await startPullerWorld({ name: 'puller-faults', bucket: BUCKET, queues, clusters: [] });
});
afterAll(() => world?.close());
beforeEach(async () => {
  clock = { t: Date.parse('2026-11-30T12:00:00Z') };
  ({ kube, deps } = await startClusterPuller(world, {
    cluster: `faults${++n}`,
    bucket: BUCKET,
    queues,
    clock,
  }));
});
afterEach(() => kube.close());

const cm = (name: string, namespace = 'apps'): KubeObject => {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data: { v: name },
  };
  setOwnerLabels(obj, APPS);
  return obj;
};

async function publish(objects: KubeObject[]): Promise<void> {
  const i = ++published;
  const payload = testArtifact(deps.cluster, targetOf(APPS), i, objects, { retryIntervalMs: 60_000 });
  await storeAndIndex(deps, targetOf(APPS), await signArtifact(payload, world.keys), {
    revision: revisionOf(i),
    publishedAt: clock.t,
  });
}

const live = (name: string) => kube.object('v1', 'ConfigMap', name, 'apps');

describe('faults at the puller', () => {
  it('the API server failing mid-apply: nothing is pruned, the last good state stays, a retry applies it', async () => {
    const state = new PullerState();
    await publish([cm('a'), cm('b')]);
    expect((await reconcileCluster(deps, state))[0]?.ready).toBe(true);
    await publish([cm('a'), cm('c')]);
    kube.failNext('PATCH', /\/configmaps\/c$/, 503, 'etcdserver: request timed out');
    const [failed] = await reconcileCluster(deps, state);
    expect(failed).toMatchObject({ ready: false, reason: 'ReconciliationFailed', pruned: 0 });
    expect(failed?.message).toContain('ConfigMap/apps/c');
    expect(failed?.lastAppliedRevision).toBe(revisionOf(published - 1));
    expect(live('b')).toBeDefined(); // not pruned after a failed apply
    expect(state.nextRetryIn(clock.t)).toBe(60_000);

    clock.t += 60_000;
    const retry = state.dueRetries(clock.t);
    const [fixed] = await reconcileCluster(deps, state, retry);
    expect(fixed).toMatchObject({ ready: true, pruned: 1, lastAppliedRevision: revisionOf(published) });
    expect(live('b')).toBeUndefined();
    expect(live('c')).toBeDefined();
  });

  it('a namespace being deleted: the object in it is reported with the API server reason and retried', async () => {
    const state = new PullerState();
    await publish([cm('a'), cm('x', 'apps')]);
    kube.failNext(
      'PATCH',
      /\/configmaps\/x$/,
      403,
      'configmaps "x" is forbidden: unable to create new content in namespace apps because it is being terminated',
    );
    const [report] = await reconcileCluster(deps, state);
    expect(report?.ready).toBe(false);
    expect(report?.message).toContain('being terminated');
    expect(report?.stalled).toBeUndefined();
    expect(state.nextRetryIn(clock.t)).toBe(60_000);
  });
});
