// Use-case: part of the scheduler tick. A target whose render failed, and whose queue retries are spent,
// is rendered again at its retryInterval (else its interval) without a new revision, as Flux retries.

import { isRenderRetryDue, renderRetryDelayMs } from '../core/pipeline/render-retry.ts';
import { describeTarget, type Target } from '../core/pipeline/target.ts';
import { enqueueRender } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { type StateStore, stateOf } from './state-store.ts';

/**
 * Queues a render of every failed, unsuspended target whose retry is due, found by its failure marker: one
 * LIST per cluster and tick, and reads only for the targets that failed.
 */
export async function retryFailedRenders(deps: PipelineDeps): Promise<{ cluster: string; target: Target }[]> {
  const now = deps.clock.now();
  const store = stateOf(deps);
  const queued: { cluster: string; target: Target }[] = [];
  for (const cluster of deps.settings.clusters) {
    for (const target of await store.listFailedTargets(cluster)) {
      const delay = await dueRetry(store, cluster, target, now).catch((err: Error) => {
        // One unreadable record must not stop the other targets' retries.
        deps.log.warn('failed render not retried', {
          cluster,
          target: describeTarget(target),
          message: err.message,
        });
        return undefined;
      });
      if (delay === undefined) continue;
      // One retry per target per retry window, however often the tick runs.
      await enqueueRender(deps, cluster, target, `retry/${Math.floor(now / delay)}`);
      queued.push({ cluster, target });
    }
  }
  return queued;
}

/** The target's retry delay when a retry of its failed render is due now; undefined otherwise. */
async function dueRetry(
  store: StateStore,
  cluster: string,
  target: Target,
  now: number,
): Promise<number | undefined> {
  const status = await store.getRenderStatus(cluster, target);
  if (!status || status.ready) return undefined;
  // Withdrawn from the fleet: its marker may linger, but there is nothing to retry.
  const record = await store.getTargetRecord(cluster, target);
  if (!record || !isRenderRetryDue(record, status, now)) return undefined;
  return renderRetryDelayMs(record, status);
}
