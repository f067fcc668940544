import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApplyOptions, targetOf } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import type { ObjectKey } from '../../shared/core/pipeline/state-keys.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { PullerState, reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { deployment } from '../support/deployment-fixture.ts';
import type { KubeApiServer } from '../support/kube-api-server.ts';
import {
  type PullerWorld,
  revisionOf,
  startClusterPuller,
  startPullerWorld,
  storeAndIndex,
  testArtifact,
} from '../support/puller-world.ts';

const BUCKET = 'sluice-puller-health';
const queues = defaultQueueNames('puller-health');
const APPS: ObjectKey = { namespace: 'flux-system', name: 'apps' };
const T0 = Date.parse('2026-11-30T12:00:00Z');

let world: PullerWorld;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };
let n = 0;
let published = 0;

beforeAll(async () => {
  world = await startPullerWorld({ name: 'puller-health', bucket: BUCKET, queues, clusters: [] });
});
afterAll(() => world?.close());

beforeEach(async () => {
  clock = { t: T0 };
  ({ kube, deps } = await startClusterPuller(world, {
    cluster: `health${++n}`,
    bucket: BUCKET,
    queues,
    clock,
  }));
});
afterEach(() => kube.close());

function owned(obj: KubeObject): KubeObject {
  setOwnerLabels(obj, APPS);
  return obj;
}

async function publish(objects: KubeObject[], apply: Partial<ApplyOptions>): Promise<string> {
  const i = ++published;
  const signed = await signArtifact(
    testArtifact(deps.cluster, targetOf(APPS), i, objects, apply),
    world.keys,
  );
  await storeAndIndex(deps, targetOf(APPS), signed, { revision: revisionOf(i), publishedAt: clock.t });
  return signed.digest;
}

const web = () => owned(deployment('web', 'web'));

describe('health at the puller', () => {
  it('spec.wait: Ready only once every applied object is healthy', async () => {
    kube.setDeploymentsReady(true);
    await publish([web()], { wait: true, timeoutMs: 60_000 });
    const [report] = await reconcileCluster(deps);
    expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
    // Flux's revisions and the inventory's size travel with every report.
    expect(report).toMatchObject({
      lastAttemptedRevision: revisionOf(published),
      lastAppliedRevision: revisionOf(published),
      inventory: 1,
    });
  });

  it('spec.wait: HealthCheckFailed naming the object once spec.timeout runs out; nothing is pruned for it', async () => {
    kube.setDeploymentsReady(false);
    await publish([web()], { wait: true, timeoutMs: 30_000 });
    const [report] = await reconcileCluster(deps);
    expect(report?.ready).toBe(false);
    expect(report?.reason).toBe('HealthCheckFailed');
    expect(report?.message).toContain('Deployment/apps/web');
    expect(kube.object('apps/v1', 'Deployment', 'web', 'apps')).toBeDefined();
    // Attempted, never applied successfully: no lastAppliedRevision; retried, not stalled.
    expect(report?.lastAttemptedRevision).toBe(revisionOf(published));
    expect(report?.lastAppliedRevision).toBeUndefined();
    expect(report?.stalled).toBeUndefined();
  });

  it('spec.healthChecks: only the listed objects are waited for', async () => {
    kube.setDeploymentsReady(false);
    await publish([web()], {
      healthChecks: [{ apiVersion: 'v1', kind: 'Namespace', name: 'apps' }],
      timeoutMs: 30_000,
    });
    const [report] = await reconcileCluster(deps);
    expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
  });

  it('spec.healthCheckExprs: a custom rule decides, here failing a ConfigMap that says so', async () => {
    const cm = owned({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'flag', namespace: 'apps' },
      data: { state: 'broken' },
    });
    await publish([cm], {
      wait: true,
      timeoutMs: 30_000,
      healthCheckExprs: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          current: "data.state == 'ok'",
          failed: "data.state == 'broken'",
        },
      ],
    });
    const [report] = await reconcileCluster(deps);
    expect(report?.reason).toBe('HealthCheckFailed');
    expect(report?.message).toContain('ConfigMap/apps/flag');
  });

  it('a newer artifact cancels a wait in progress: no report for the old one, the new one reconciles at once', async () => {
    kube.setDeploymentsReady(false);
    const state = new PullerState();
    await publish([web()], { wait: true, timeoutMs: 3_600_000 });
    const waiting = reconcileCluster(deps, state);
    // The wait polls; a fix arrives (here: a revision without the wait) and its nudge cancels the old one.
    await new Promise((r) => setTimeout(r, 300));
    const fix = await publish([web()], { timeoutMs: 60_000 });
    expect(state.cancelStale(targetOf(APPS), fix)).toBe(true);
    expect(await waiting).toEqual([]);
    const [report] = await reconcileCluster(deps, state, [targetOf(APPS)]);
    expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
  });
});

describe('spec.retryInterval', () => {
  const failing = (name: string): ApplyReport => ({
    kind: 'apply-report',
    cluster: 'c',
    target: targetOf({ namespace: 'flux-system', name }),
    digest: '',
    revision: '',
    ready: false,
    reason: 'ReconciliationFailed',
    message: '',
    applied: 0,
    pruned: 0,
    at: '',
  });
  const payload = (apply: Partial<ApplyOptions>) =>
    testArtifact('c', targetOf(APPS), 1, [], { intervalMs: 600_000, ...apply });

  it('retries a failure after retryInterval, doubling up to the interval; success forgets it', () => {
    const state = new PullerState();
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      state.scheduleRetry(failing('apps'), payload({ retryIntervalMs: 60_000 }), now);
      delays.push(state.nextRetryIn(now));
      now += delays[i] as number;
      expect(state.dueRetries(now).map((t) => t.name)).toEqual(['apps']);
    }
    expect(delays).toEqual([60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
    state.scheduleRetry({ ...failing('apps'), ready: true }, payload({}), now);
    expect(state.nextRetryIn(now)).toBe(Number.POSITIVE_INFINITY);
  });

  it("without retryInterval retries at the interval (Flux's default); a missing dependency after 30 s", () => {
    const state = new PullerState();
    state.scheduleRetry(failing('apps'), payload({}), 0);
    expect(state.nextRetryIn(0)).toBe(600_000);
    state.scheduleRetry({ ...failing('apps'), reason: 'DependencyNotReady' }, payload({}), 0);
    expect(state.nextRetryIn(0)).toBe(30_000);
  });
});
