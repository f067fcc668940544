// Use-case: the scheduler tick. Every source whose interval (the shortest among its declarers) has elapsed
// since its last attempt gets a fetch job; a deterministic per-source jitter spreads sources that share one.
// Failed renders are queued again at their retryInterval (retry-failed-renders.ts).
import { createHash } from 'node:crypto';
import { enqueueFetch } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { retryFailedRenders } from './retry-failed-renders.ts';
import { loadDeclarations } from './source-declarations.ts';
import { type StateStore, stateOf } from './state-store.ts';

/** Up to 10% of the interval, fixed per source so it does not drift between ticks. */
export function jitterMs(sourceKey: string, intervalMs: number): number {
  const n = createHash('sha256').update(sourceKey).digest().readUInt32BE(0) / 0xffffffff;
  return Math.floor(n * intervalMs * 0.1);
}

/**
 * Rendered from by a Kustomization, or the source of a HelmChart still declared (its builds follow the
 * source's commits); a chart withdrawn from the fleet leaves its marker behind, which does not count.
 */
async function isUsed(store: StateStore, sourceKey: string): Promise<boolean> {
  if (await store.hasSubscribers(sourceKey)) return true;
  for (const dependent of await store.listDependents(sourceKey)) {
    const spec = await store.getFetchSpec(dependent);
    if (spec && (await store.listDeclarers(dependent)).length > 0) return true;
  }
  return false;
}

export async function scheduleSources(deps: PipelineDeps): Promise<string[]> {
  const now = deps.clock.now();
  const due: string[] = [];
  const store = stateOf(deps);
  const unreadable = (err: Error) => deps.log.warn('source not scheduled', { message: err.message });
  const specs = await store.listFetchSpecs(unreadable);
  for (const spec of specs) {
    const state = await store.getFetchState(spec.sourceKey);
    const last = state?.lastAttemptAt ? Date.parse(state.lastAttemptAt) : 0;
    const { intervalMs, suspended } = await loadDeclarations(store, spec);
    // Declared by nothing any more (every declarer withdrew it), or suspended: not fetched on a schedule.
    if (intervalMs === undefined || suspended) continue;
    if (now - last < intervalMs + jitterMs(spec.sourceKey, intervalMs)) continue;
    // A Git source no Kustomization or HelmChart uses any more is not fetched. Chart and OCI sources are
    // reconciled like Flux's, used or not: their status tells the user a chart or tag moved or broke before a
    // release needs it.
    if ((spec.kind ?? 'GitRepository') === 'GitRepository' && !(await isUsed(store, spec.sourceKey)))
      continue;
    // One scheduled fetch per source per interval window, however often the tick runs.
    const window = Math.floor(now / Math.max(1000, intervalMs));
    await enqueueFetch(deps, spec.sourceKey, 'schedule', window);
    due.push(spec.sourceKey);
  }
  // Whatever the source does: a target failed by an outage is not left failed until its next commit.
  await retryFailedRenders(deps);
  return due;
}
