import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { targetOf } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import type { ObjectKey } from '../../shared/core/pipeline/state-keys.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { limiter } from '../../shared/usecases/puller/limiter.ts';
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

const BUCKET = 'sluice-puller-deps';
const queues = defaultQueueNames('puller-deps');
const ks = (name: string): ObjectKey => ({ namespace: 'flux-system', name });

let world: PullerWorld;
let kube: KubeApiServer;
let deps: PullerDeps;
let n = 0;

beforeAll(async () => {
  world = await startPullerWorld({ name: 'puller-deps', bucket: BUCKET, queues, clusters: [] });
});
afterAll(() => world?.close());

beforeEach(async () => {
  ({ kube, deps } = await startClusterPuller(world, {
    cluster: `deps${++n}`,
    bucket: BUCKET,
    queues,
    clock: { t: Date.parse('2026-11-30T12:00:00Z') },
  }));
});
afterEach(() => kube.close());

let publishes = 0;
function configMap(owner: ObjectKey, name: string, valid = true): KubeObject {
  // An upper-case name is refused by the API server: a broken revision.
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: valid ? name : name.toUpperCase(), namespace: 'apps' },
    data: { v: String(publishes) },
  };
  setOwnerLabels(obj, owner);
  return obj;
}

async function publish(name: string, dependsOn: string[] = [], valid = true): Promise<void> {
  const i = ++publishes;
  const target = targetOf(ks(name));
  const payload = testArtifact(deps.cluster, target, i, [configMap(ks(name), `cm-${name}`, valid)], {
    dependsOn: dependsOn.map((d) => ks(d)),
  });
  await storeAndIndex(deps, target, await signArtifact(payload, world.keys), {
    revision: revisionOf(i),
    publishedAt: Date.parse('2026-11-30T12:00:00Z'),
  });
}

const byName = (reports: ApplyReport[]) => Object.fromEntries(reports.map((r) => [r.target.name, r]));

describe('dependsOn at the puller', () => {
  it('reports a dependency cycle at once, naming it, and applies everything else', async () => {
    await publish('a', ['b']);
    await publish('b', ['a']);
    await publish('c');
    const reports = byName(await reconcileCluster(deps));
    expect(reports.a?.reason).toBe('DependencyNotReady');
    expect(reports.a?.message).toContain(
      'dependency cycle: Kustomization/flux-system/a -> Kustomization/flux-system/b -> Kustomization/flux-system/a',
    );
    expect(reports.b?.message).toContain('dependency cycle');
    expect([reports.a?.stalled, reports.b?.stalled, reports.c?.stalled]).toEqual([true, true, undefined]);
    expect(reports.c?.ready).toBe(true);
    expect(kube.object('v1', 'ConfigMap', 'cm-a', 'apps')).toBeUndefined();
  });

  it('reports a dependency that is not in the cluster, naming it and the fix', async () => {
    await publish('apps', ['gone']);
    const [report] = await reconcileCluster(deps);
    expect(report?.reason).toBe('DependencyNotReady');
    expect(report?.message).toBe(
      "dependency Kustomization 'flux-system/gone' not found in this cluster: declare it in the fleet or remove it from spec.dependsOn",
    );
  });

  it('judges a dependency at its current revision: a nudge for the dependent reconciles a broken new dependency first', async () => {
    await publish('infra');
    await publish('apps', ['infra']);
    const state = new PullerState();
    expect(Object.values(byName(await reconcileCluster(deps, state))).map((r) => r.ready)).toEqual([
      true,
      true,
    ]);
    await publish('infra', [], false);
    await publish('apps', ['infra']);
    // Only apps was nudged; infra was Ready at its previous revision, which no longer counts.
    const reports = byName(await reconcileCluster(deps, state, [targetOf(ks('apps'))]));
    expect(reports.infra?.ready).toBe(false);
    expect(reports.apps?.reason).toBe('DependencyNotReady');
    expect(reports.apps?.message).toContain('infra');
  });
});

describe('concurrency and cancellation', () => {
  it('a target that never finishes holds one slot only', async () => {
    const limit = limiter(2);
    let release: () => void = () => undefined;
    const stuck = limit(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    const done: number[] = [];
    await Promise.all(
      [1, 2, 3].map((i) =>
        limit(async () => {
          done.push(i);
        }),
      ),
    );
    expect(done).toEqual([1, 2, 3]);
    release();
    await stuck;
  });

  it('a newer artifact cancels the reconcile in flight; the same one is not run twice', async () => {
    const state = new PullerState();
    const target = targetOf(ks('apps'));
    let seen: AbortSignal | undefined;
    const first = state.exclusive(target, 'sha256:old', (signal) => {
      seen = signal;
      return new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('aborted')));
    });
    expect(await state.exclusive(target, 'sha256:old', async () => 'twice')).toBeUndefined();
    expect(state.cancelStale(target, 'sha256:old')).toBe(false);
    expect(state.cancelStale(target, 'sha256:new')).toBe(true);
    expect(seen?.aborted).toBe(true);
    expect(await first).toBe('aborted');
    expect(await state.exclusive(target, 'sha256:new', async () => 'ran')).toBe('ran');
  });
});

describe("the puller's memory of records", () => {
  it('keeps one record per target: a newer one replaces it, so memory follows the fleet, not its history', async () => {
    const state = new PullerState();
    const target = targetOf(ks('apps'));
    const older = await signArtifact(testArtifact('c', target, 1, []), world.keys);
    const newer = await signArtifact(testArtifact('c', target, 2, []), world.keys);
    state.remember(target, older);
    state.remember(target, newer);
    expect(state.artifact(target, newer.digest)).toBe(newer);
    expect(state.artifact(target, older.digest)).toBeUndefined();
  });
});
