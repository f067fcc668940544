// spec.wait / spec.healthChecks: poll the listed objects until all are Current, one is Failed, the timeout
// runs out or a newer revision aborts the wait; returns every object's last status and the HealthCheckFailed text.
import type { HealthCheckRules } from '../../core/health/health-check-rules.ts';
import {
  failingObjects,
  type HealthWaitOutcome,
  type ObjectHealth,
  waitMessage,
  waitVerdict,
} from '../../core/health/health-wait-summary.ts';
import { objectHealth } from '../../core/health/object-health.ts';
import { isTargetKind, type Target } from '../../core/pipeline/target.ts';
import type { ObjectRef } from '../../ports/cluster-api.ts';
import type { PullerDeps } from './puller-deps.ts';

/** kustomize-controller polls every 5 s. */
export const HEALTH_POLL_INTERVAL_MS = 5_000;

/** Reads in flight at once, so a large inventory does not open a connection per object. */
const READ_CONCURRENCY = 8;

export interface HealthWaitRequest {
  /** The applied objects (`wait: true`) or the `healthChecks` references, custom resources included. */
  refs: readonly ObjectRef[];
  /** Compiled `healthCheckExprs` (compileHealthCheckExprs), if any. */
  rules?: HealthCheckRules;
  timeoutMs: number;
  intervalMs?: number;
  /** Aborted when a newer revision arrives: the wait ends at once with outcome `aborted`. */
  signal?: AbortSignal;
  /** Stop at the first Failed object (Flux's default); false waits while anything is still in progress. */
  failFast?: boolean;
  /**
   * Readiness of a Sluice target (a Flux Kustomization or HelmRelease named in healthChecks): those are not
   * objects in the cluster, so without this they would never be found. true Current, false InProgress.
   */
  targetReady?: (target: Target) => boolean | undefined;
}

export interface HealthWaitReport {
  outcome: HealthWaitOutcome;
  /** The last status read of every object, in the order of `refs` (empty if aborted before the first read). */
  objects: ObjectHealth[];
  /** The first object named in `message`: the one to show as the reason. */
  failing?: ObjectHealth;
  /** Flux's HealthCheckFailed message (`timeout waiting for: [Deployment/ns/name status: 'InProgress']`). */
  message: string;
  polls: number;
}

type HealthDeps = Pick<PullerDeps, 'kube' | 'clock' | 'sleep'>;

export async function waitForHealth(deps: HealthDeps, req: HealthWaitRequest): Promise<HealthWaitReport> {
  const interval = req.intervalMs ?? HEALTH_POLL_INTERVAL_MS;
  const deadline = deps.clock.now() + req.timeoutMs;
  let objects: ObjectHealth[] = [];
  let polls = 0;
  const end = (outcome: HealthWaitOutcome): HealthWaitReport => {
    const failing = failingObjects(objects, outcome)[0];
    return { outcome, objects, ...(failing && { failing }), message: waitMessage(objects, outcome), polls };
  };
  if (req.refs.length === 0) return end('healthy');
  for (;;) {
    if (req.signal?.aborted) return end('aborted');
    const read = await readAll(deps, req);
    if (req.signal?.aborted) return end('aborted');
    objects = read;
    polls++;
    const verdict = waitVerdict(objects, req.failFast ?? true);
    if (verdict !== 'pending') return end(verdict);
    const left = deadline - deps.clock.now();
    if (left <= 0) return end('timeout');
    await sleepUnlessAborted(deps.sleep, Math.min(interval, left), req.signal);
  }
}

async function readAll(deps: HealthDeps, req: HealthWaitRequest): Promise<ObjectHealth[]> {
  const out: ObjectHealth[] = new Array(req.refs.length);
  let next = 0;
  const worker = async () => {
    while (next < req.refs.length) {
      const i = next++;
      out[i] = await readOne(deps, req, req.refs[i] as ObjectRef);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, req.refs.length) }, worker));
  return out;
}

/** Flux's own API groups: a Kustomization or HelmRelease there is a Sluice target, not a cluster object. */
const FLUX_TARGET_GROUPS = ['kustomize.toolkit.fluxcd.io', 'helm.toolkit.fluxcd.io'];

function targetOf(ref: ObjectRef): Target | undefined {
  const group = ref.apiVersion.split('/')[0] ?? '';
  if (!FLUX_TARGET_GROUPS.includes(group) || !isTargetKind(ref.kind)) return undefined;
  return { kind: ref.kind, namespace: ref.namespace ?? '', name: ref.name };
}

function targetHealth(ref: ObjectRef, ready: boolean | undefined): ObjectHealth {
  if (ready === undefined) return { ref, status: 'NotFound', message: 'no such target in this cluster' };
  return ready
    ? { ref, status: 'Current', message: 'Target is Ready' }
    : { ref, status: 'InProgress', reason: 'TargetNotReady', message: 'Target is not Ready' };
}

async function readOne(deps: HealthDeps, req: HealthWaitRequest, ref: ObjectRef): Promise<ObjectHealth> {
  const target = req.targetReady && targetOf(ref);
  if (target && req.targetReady) return targetHealth(ref, req.targetReady(target));
  try {
    const live = await deps.kube.get(ref, req.signal ? { signal: req.signal } : {});
    if (!live) return { ref, status: 'NotFound', message: 'Resource not found' };
    return { ref, ...objectHealth(live, { now: deps.clock.now(), ...(req.rules && { rules: req.rules }) }) };
  } catch (err) {
    // As kstatus' poller: a failed read is Unknown for this round, and the next poll tries again.
    return { ref, status: 'Unknown', message: err instanceof Error ? err.message : String(err) };
  }
}

/** The injected sleep, cut short by `signal` (a new revision must not queue behind a long interval). */
async function sleepUnlessAborted(
  sleep: (ms: number) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) return;
  let onAbort = () => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
