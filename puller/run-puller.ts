// The puller's main loop: long-poll the cluster's queue for nudges and reconcile the Kustomizations they
// name, and the whole index at start and once per interval (drift correction, missed nudges). Errors are
// logged and retried with backoff.

import { decodeJob } from '../shared/core/pipeline/jobs.ts';
import type { Target } from '../shared/core/pipeline/target.ts';
import { ensureInventoryNamespace } from '../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../shared/usecases/puller/puller-deps.ts';
import { PullerState, reconcileCluster } from '../shared/usecases/puller/reconcile-cluster.ts';

export interface PullerLoopOptions {
  intervalMs: number;
  /** Long-poll wait per receive (SQS allows up to 20 s). */
  waitSeconds: number;
  signal: AbortSignal;
}

export async function runPuller(deps: PullerDeps, opts: PullerLoopOptions): Promise<void> {
  let ready = false;
  let nextFull = 0;
  let failures = 0;
  const state = new PullerState();
  while (!opts.signal.aborted) {
    try {
      if (!ready) {
        await ensureInventoryNamespace(deps);
        ready = true;
      }
      // A full pass that is due (at start, after a failure, each interval) does not wait out a long poll.
      const messages = await deps.queue.receive(deps.queues.cluster, {
        maxMessages: 10,
        waitSeconds: deps.clock.now() >= nextFull ? 0 : opts.waitSeconds,
      });
      if (opts.signal.aborted) break;
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
        const reports = await reconcileCluster(deps, state, full ? undefined : nudged);
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
