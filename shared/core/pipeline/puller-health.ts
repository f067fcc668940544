// When the puller is alive (its loop is not wedged) and ready (it completed a full pass against the store
// and the API server recently, and nothing failed since): the answers of /healthz and /readyz, from marks.

/** What the loop has done, as times in epoch milliseconds. */
export interface LoopMarks {
  startedAt: number;
  /** The loop's latest sign of progress: a round began or ended, a target finished. */
  lastProgressAt: number;
  /** The latest full pass over the index that completed. */
  lastFullPassAt?: number;
  /** The latest round that failed (store, queue or API server unreachable). */
  lastFailureAt?: number;
}

export interface HealthPolicy {
  /** No progress for this long: the loop is wedged and the process should be restarted. */
  wedgedAfterMs: number;
  /** No full pass for this long: the puller is not ready. */
  staleAfterMs: number;
}

export interface Verdict {
  ok: boolean;
  /** Why, in one line for the probe's body: never a secret, only times and states. */
  reason: string;
}

/**
 * From the puller's interval. A full pass is due each interval, and a target's apply and health wait can run
 * as long as its spec.timeout (by default the interval minus 30 s), so a pass legitimately takes up to
 * about two intervals; wedged allows for long timeouts on top (at least 30 minutes, restarting is costly).
 */
export function healthPolicy(intervalMs: number): HealthPolicy {
  return { wedgedAfterMs: Math.max(30 * 60_000, 3 * intervalMs), staleAfterMs: 3 * intervalMs };
}

export function liveness(marks: LoopMarks, now: number, policy: HealthPolicy): Verdict {
  const idle = now - marks.lastProgressAt;
  if (idle > policy.wedgedAfterMs)
    return {
      ok: false,
      reason: `the loop made no progress for ${seconds(idle)} s (limit ${seconds(policy.wedgedAfterMs)} s)`,
    };
  return { ok: true, reason: `the loop made progress ${seconds(idle)} s ago` };
}

export function readiness(marks: LoopMarks, now: number, policy: HealthPolicy): Verdict {
  const last = marks.lastFullPassAt;
  if (last === undefined) return { ok: false, reason: 'no full pass has completed yet' };
  if (marks.lastFailureAt !== undefined && marks.lastFailureAt >= last)
    return { ok: false, reason: `the latest round failed ${seconds(now - marks.lastFailureAt)} s ago` };
  const age = now - last;
  if (age > policy.staleAfterMs)
    return {
      ok: false,
      reason: `the latest full pass completed ${seconds(age)} s ago (limit ${seconds(policy.staleAfterMs)} s)`,
    };
  return { ok: true, reason: `the latest full pass completed ${seconds(age)} s ago` };
}

function seconds(ms: number): number {
  return Math.max(0, Math.round(ms / 1000));
}
