// The puller's main loop: long-poll the cluster's queue for nudges and reconcile the Kustomizations they
// name, and the whole index at start and once per interval (drift correction, missed nudges). Errors are
// logged and retried with backoff. What each round did goes to `metrics` (served as /metrics and the probes).

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

export async function runPuller(deps: PullerDeps, opts: PullerLoopOptions): Promise<void> {
  let ready = false;
  let nextFull = 0;
  let failures = 0;
  const state = new PullerState();
  const metrics = opts.metrics ?? noPullerMetrics;
  /** The digest last reported per target (targetKey), to tell a drift re-apply from a new artifact. */
  const lastDigests = new Map<string, string>();
  while (!opts.signal.aborted) {
    metrics.heartbeat();
    try {
      // Applied again on every full pass (a no-op write when nothing changed): it proves the API server
      // answers our own identity, which /readyz reports, and brings back a deleted inventory namespace.
      if (!ready || deps.clock.now() >= nextFull) {
        await ensureInventoryNamespace(deps);
        ready = true;
      }
      // A full pass that is due (at start, after a failure, each interval) does not wait out a long poll.
      const messages = await deps.queue.receive(deps.queues.cluster, {
        maxMessages: 10,
        waitSeconds: deps.clock.now() >= nextFull ? 0 : opts.waitSeconds,
      });
      if (opts.signal.aborted) break;
      metrics.queueLag(oldestWaitSeconds(messages, deps.clock.now()));
      const nudged: Target[] = [];
      for (const m of messages) {
        await deps.queue.ack(deps.queues.cluster, m.receiptHandle);
        try {
          const job = decodeJob(m.body);
          if (job.kind === 'nudge') nudged.push(job.target);
        } catch {
          // not a nudge: the full reconcile below covers whatever it meant
          nextFull = 0;
        }
      }
      const full = deps.clock.now() >= nextFull;
      if (full || nudged.length > 0) {
        const started = deps.clock.now();
        const reports = await reconcileCluster(deps, state, full ? undefined : nudged);
        recordReports(metrics, reports, deps.clock.now(), lastDigests);
        metrics.passCompleted(full, (deps.clock.now() - started) / 1000);
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
        if (full) nextFull = deps.clock.now() + opts.intervalMs;
      }
      failures = 0;
    } catch (err) {
      failures++;
      metrics.passFailed();
      nextFull = 0; // the nudges of the failed round were acked: do a full reconcile next time
      deps.log.error('puller loop failed; retrying', {
        cluster: deps.cluster,
        error: (err as Error).message,
        failures,
      });
      await deps.sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
    }
  }
}

/** How long the oldest of a round's messages waited in the queue, in seconds (0 for none). */
export function oldestWaitSeconds(messages: ReceivedMessage[], now: number): number {
  const sent = messages.flatMap((m) => (m.sentAt === undefined ? [] : [m.sentAt]));
  return sent.length === 0 ? 0 : Math.max(0, now - Math.min(...sent)) / 1000;
}

/**
 * Each report's reconcile, timed from its start (`at`) to the next report's start, or to the end of the
 * pass for the last: right while reconcileCluster takes the targets one at a time. Objects created or
 * changed by a re-apply of the digest this process last reported for the target are drift corrections.
 * When reconcileCluster reports to PullerMetrics itself (timing each target), this goes.
 */
export function recordReports(
  metrics: PullerMetrics,
  reports: ApplyReport[],
  passEnd: number,
  lastDigests: Map<string, string>,
): void {
  const sorted = [...reports].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  sorted.forEach((r, i) => {
    const next = sorted[i + 1];
    const end = next ? Date.parse(next.at) : passEnd;
    const seconds = Math.max(0, end - Date.parse(r.at)) / 1000;
    metrics.reconciled(r.target, { ready: r.ready, reason: r.reason }, seconds);
    const key = targetKey(r.target);
    if (r.digest && lastDigests.get(key) === r.digest && r.applied > 0)
      metrics.driftCorrected(r.target, r.applied);
    if (r.digest) lastDigests.set(key, r.digest);
  });
}
