// spec.deletionPolicy WaitForTermination: after a removal deleted its objects, poll until each is gone from
// the cluster (finalizers done) or the timeout runs out, as Flux's WaitForSetTermination; returns what is left.
import type { ObjectRef } from '../../ports/cluster-api.ts';
import type { PullerDeps } from './puller-deps.ts';

/** kustomize-controller's finalizer polls every 2 s. */
export const TERMINATION_POLL_INTERVAL_MS = 2_000;

export interface TerminationWait {
  /** Objects still present when the wait ended (empty: all gone). */
  remaining: ObjectRef[];
  /** A newer record for the target arrived and ended the wait early. */
  aborted: boolean;
}

export async function waitForTermination(
  deps: Pick<PullerDeps, 'kube' | 'clock' | 'sleep'>,
  refs: readonly ObjectRef[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TerminationWait> {
  const deadline = deps.clock.now() + timeoutMs;
  let remaining = [...refs];
  for (;;) {
    remaining = await stillPresent(deps, remaining);
    if (remaining.length === 0) return { remaining, aborted: false };
    if (signal?.aborted) return { remaining, aborted: true };
    const left = deadline - deps.clock.now();
    if (left <= 0) return { remaining, aborted: false };
    await deps.sleep(Math.min(TERMINATION_POLL_INTERVAL_MS, left));
  }
}

/** Reads in flight at once, so a large inventory does not open a connection per object. */
const READ_CONCURRENCY = 8;

/** A failed read counts as still there: the next poll asks again, and a timeout names it. */
async function stillPresent(deps: Pick<PullerDeps, 'kube'>, refs: ObjectRef[]): Promise<ObjectRef[]> {
  const present: ObjectRef[] = [];
  for (let i = 0; i < refs.length; i += READ_CONCURRENCY) {
    const batch = refs.slice(i, i + READ_CONCURRENCY);
    const found = await Promise.all(
      batch.map((ref) =>
        deps.kube.get(ref).then(
          (live) => !!live,
          () => true,
        ),
      ),
    );
    present.push(...batch.filter((_, j) => found[j]));
  }
  return present;
}
