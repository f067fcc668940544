// The puller's main loop: long-poll the cluster's queue for nudges and reconcile the targets they name,
// and the whole index at start and once per interval (drift correction, missed nudges). Passes run beside
// the loop, so nudges keep coming in: a newer artifact cancels a reconcile in flight. Failed passes are
// retried with backoff. What each reconcile and pass did goes to `metrics` (served as /metrics and probes).

import { type ApplyReport, decodeJob } from '../shared/core/pipeline/jobs.ts';
import { type Target, targetKey } from '../shared/core/pipeline/target.ts';
import { noPullerMetrics, type PullerMetrics } from '../shared/ports/puller-metrics.ts';
import type { ReceivedMessage } from '../shared/ports/queue.ts';
import { ensureInventoryNamespace } from '../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../shared/usecases/puller/puller-deps.ts';
import { PullerState, reconcileCluster } from '../shared/usecases/puller/reconcile-cluster.ts';

export interface PullerLoopOptions {
  intervalMs: number;
  /** Long-poll wait per receive (SQS allows up to 20 s). */
  waitSeconds: number;
  signal: AbortSignal;
  /** Where the loop reports its rounds, passes and reconciles (nothing when absent). */
  metrics?: PullerMetrics;
}

/** The shortest time between two memory releases (see PullerDeps.releaseMemory). */
export const MIN_RELEASE_GAP_MS = 30_000;

export async function runPuller(deps: PullerDeps, opts: PullerLoopOptions): Promise<void> {
  const metrics = opts.metrics ?? noPullerMetrics;
  const passDeps: PullerDeps = { ...deps, metrics };
  const state = new PullerState(deps.concurrency);
  const loop = {
    ready: false,
    nextFull: 0,
    fullRunning: false,
    failures: 0,
    /** After a failed pass, no new pass starts before this time (backoff). */
    resumeAt: 0,
  };
  // Passes run beside the loop, so it keeps taking nudges: a newer artifact cancels a target's reconcile in
  // flight (a health wait, say) and a nudge for another target does not wait for a slow one.
  const running = new Set<Promise<void>>();
  // At most one release per 30 s: a busy cluster is not collected after every reconcile.
  let releasedAt = Number.NEGATIVE_INFINITY;
  const settled = () => {
    if (!deps.releaseMemory || running.size > 0) return;
    const now = deps.clock.now();
    if (now - releasedAt < MIN_RELEASE_GAP_MS) return;
    releasedAt = now;
    try {
      deps.releaseMemory();
    } catch (err) {
      // Only memory is at stake: never the loop (this runs where nothing would catch it).
      deps.log.warn('could not release memory after a pass', { error: (err as Error).message });
    }
  };
  const startPass = (only: Target[] | undefined) => {
    const full = only === undefined;
    if (full) loop.fullRunning = true;
    const started = deps.clock.now();
    const pass = reconcileCluster(passDeps, state, only)
      .then((reports) => {
        metrics.passCompleted(full, (deps.clock.now() - started) / 1000);
        logReports(deps, reports);
        if (full) loop.nextFull = deps.clock.now() + opts.intervalMs;
        loop.failures = 0;
      })
      .catch((err: unknown) => failed(err))
      .finally(() => {
        if (full) loop.fullRunning = false;
        running.delete(pass);
        settled();
      });
    running.add(pass);
  };
  const failed = (err: unknown) => {
    loop.failures++;
    metrics.passFailed();
    loop.nextFull = 0; // the nudges of the failed round were acked: do a full reconcile next time
    loop.resumeAt = deps.clock.now() + Math.min(30_000, 500 * 2 ** Math.min(loop.failures, 6));
    deps.log.error('puller loop failed; retrying', {
      cluster: deps.cluster,
      error: (err as Error).message,
      failures: loop.failures,
    });
  };
  while (!opts.signal.aborted) {
    metrics.heartbeat();
    try {
      if (deps.clock.now() < loop.resumeAt) {
        await deps.sleep(loop.resumeAt - deps.clock.now());
        continue;
      }
      // Applied again on every full pass (a no-op write when nothing changed): it proves the API server
      // answers our own identity, which /readyz reports, and brings back a deleted inventory namespace.
      const fullDue = !loop.fullRunning && deps.clock.now() >= loop.nextFull;
      if (!loop.ready || fullDue) {
        await ensureInventoryNamespace(deps);
        loop.ready = true;
      }
      // A full pass that is due (at start, after a failure, each interval) does not wait out a long poll.
      // ...nor does a retry that is due (spec.retryInterval) wait longer than until it is.
      const retryIn = Math.ceil(state.nextRetryIn(deps.clock.now()) / 1000);
      const messages = await deps.queue.receive(deps.queues.cluster, {
        maxMessages: 10,
        waitSeconds: fullDue ? 0 : Math.min(opts.waitSeconds, retryIn),
      });
      if (opts.signal.aborted) break;
      metrics.queueLag(oldestWaitSeconds(messages, deps.clock.now()));
      const nudged: Target[] = [];
      for (const m of messages) {
        await deps.queue.ack(deps.queues.cluster, m.receiptHandle);
        try {
          const job = decodeJob(m.body);
          if (job.kind !== 'nudge') continue;
          nudged.push(job.target);
          if (state.cancelStale(job.target, job.digest))
            deps.log.info(
              `${job.target.namespace}/${job.target.name}: a newer artifact cancels the reconcile in progress`,
              {
                cluster: deps.cluster,
                kind: job.target.kind,
                digest: job.digest,
              },
            );
        } catch {
          // not a nudge: the full reconcile below covers whatever it meant
          loop.nextFull = 0;
        }
      }
      if (!loop.fullRunning && deps.clock.now() >= loop.nextFull) startPass(undefined);
      else {
        const retries = state.dueRetries(deps.clock.now());
        if (nudged.length > 0 || retries.length > 0) startPass(uniqueTargets([...nudged, ...retries]));
      }
    } catch (err) {
      failed(err);
    }
  }
  state.cancelAll();
  await Promise.all(running);
}

function uniqueTargets(targets: Target[]): Target[] {
  return [...new Map(targets.map((t) => [targetKey(t), t])).values()];
}

function logReports(deps: PullerDeps, reports: ApplyReport[]): void {
  for (const r of reports) {
    // Waiting for a dependency to become ready is expected (Flux logs it as info too), not a failure.
    (r.ready || r.reason === 'DependencyNotReady' ? deps.log.info : deps.log.warn)(
      `${r.target.namespace}/${r.target.name}: ${r.reason}`,
      {
        cluster: deps.cluster,
        kind: r.target.kind,
        revision: r.revision,
        message: r.message,
      },
    );
  }
}

/** How long the oldest of a round's messages waited in the queue, in seconds (0 for none). */
export function oldestWaitSeconds(messages: ReceivedMessage[], now: number): number {
  const sent = messages.flatMap((m) => (m.sentAt === undefined ? [] : [m.sentAt]));
  return sent.length === 0 ? 0 : Math.max(0, now - Math.min(...sent)) / 1000;
}
