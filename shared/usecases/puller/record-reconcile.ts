// What one target's reconcile tells the puller's metrics: its outcome and duration, and, when it re-applied
// the digest it last applied, how many objects had drifted and were corrected.
import type { ApplyReport } from '../../core/pipeline/jobs.ts';
import { targetKey } from '../../core/pipeline/target.ts';
import type { PullerMetrics } from '../../ports/puller-metrics.ts';

/** `lastDigests`: the digest last reported per target (targetKey) by this process. */
export function recordReconcile(
  metrics: PullerMetrics,
  lastDigests: Map<string, string>,
  report: ApplyReport,
  seconds: number,
): void {
  metrics.reconciled(report.target, { ready: report.ready, reason: report.reason }, seconds);
  const key = targetKey(report.target);
  // Objects a re-apply of the same digest created or changed had drifted (deleted or edited by hand).
  if (report.digest && lastDigests.get(key) === report.digest && report.applied > 0)
    metrics.driftCorrected(report.target, report.applied);
  if (report.digest) lastDigests.set(key, report.digest);
}
