// What one target's reconcile tells the puller's metrics: its outcome and duration, and how many objects a
// re-apply of the unchanged artifact found drifted (edited or deleted by hand) and corrected.
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
  // The drift pass's own count (dry-run against live), not a guess from what was written.
  // Drift only reported (driftDetection.mode warn) was not corrected: it is in the status, not this count.
  if (report.drift && report.drift.objects > 0 && !report.drift.notCorrected)
    metrics.driftCorrected(report.target, report.drift.objects);
  if (report.digest) lastDigests.set(targetKey(report.target), report.digest);
}
