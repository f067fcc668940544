// Use-case step: what waits for a source a sibling Kustomization declares later. A target registered before
// its source, or a HelmChart before its repository, leaves a waiter; the render that declares the source
// queues each waiter at once, as Flux's next reconcile would find it, instead of leaving it to queue retries.
import type { SourceWaiter } from '../core/pipeline/records.ts';
import type { SourceRef } from '../core/pipeline/state-keys.ts';
import type { Target } from '../core/pipeline/target.ts';
import { enqueueFetch, enqueueRender } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { stateOf } from './state-store.ts';

/**
 * Records that `waiter` waits for the cluster's `source`. Written before the waiter's own render or fetch is
 * queued: a declarer that lists waiters before this write has written the source already, so that render or
 * fetch finds it; one that lists after finds this waiter.
 */
export function waitForSource(
  deps: PipelineDeps,
  cluster: string,
  source: SourceRef,
  waiter: SourceWaiter,
): Promise<void> {
  return stateOf(deps).putSourceWaiter(cluster, source, waiter);
}

/** A withdrawn target no longer waits (a waiter left behind is skipped anyway: its record is gone). */
export function stopWaiting(deps: PipelineDeps, cluster: string, source: SourceRef, target: Target) {
  return stateOf(deps).deleteSourceWaiter(cluster, source, target);
}

/**
 * The cluster's `source` was just declared: each target still waiting (its record there, without a source)
 * renders again, which looks the source up and subscribes to it; each HelmChart still declared fetches
 * again. The target's record is its parent's to write (one writer per key), so it is not touched here.
 */
export async function wakeWaiters(deps: PipelineDeps, cluster: string, source: SourceRef): Promise<void> {
  const state = stateOf(deps);
  for (const waiter of await state.listSourceWaiters(cluster, source)) {
    if (waiter.kind === 'HelmChart') {
      if (waiter.sourceKey && (await state.getFetchSpec(waiter.sourceKey)))
        await enqueueFetch(deps, waiter.sourceKey, 'registration', `waited/${deps.clock.now()}`);
    } else {
      const target: Target = { kind: waiter.kind, namespace: waiter.namespace, name: waiter.name };
      const record = await state.getTargetRecord(cluster, target);
      if (record && !record.sourceKey) await enqueueRender(deps, cluster, target);
    }
    await state.deleteSourceWaiter(cluster, source, waiter);
  }
}
