// When a target whose render failed is rendered again at the same revision, as Flux retries a failed
// reconcile: retryable failures at spec.retryInterval (else spec.interval), permanent ones at spec.interval.
import type { RenderStatus, TargetRecord } from './records.ts';

/** The scheduler ticks every minute: a shorter retryInterval cannot be honoured more often than that. */
const MIN_RETRY_MS = 60_000;

/**
 * How long after its failed render the target is rendered again; undefined when it is not (Ready, or
 * suspended: Flux does not reconcile a suspended object). A permanent failure (a build error in the
 * commit) fails again at the same inputs, so it waits the full interval: one render per interval per
 * failed target, what Flux's own reconcile costs, and still recovers when something outside the
 * revision (a Secret, a chart in a repository) was the cause. A status from before `retryable` was
 * recorded counts as permanent.
 */
export function renderRetryDelayMs(record: TargetRecord, status: RenderStatus): number | undefined {
  if (status.ready) return undefined;
  const spec = 'kustomization' in record ? record.kustomization.spec : record.helmRelease.spec;
  if (spec.suspend) return undefined;
  const retryMs = 'retryIntervalMs' in spec ? spec.retryIntervalMs : undefined;
  const delay = status.retryable === true ? (retryMs ?? spec.intervalMs) : spec.intervalMs;
  return Math.max(MIN_RETRY_MS, delay);
}

/** Due when its last render attempt is at least its retry delay ago. */
export function isRenderRetryDue(record: TargetRecord, status: RenderStatus, now: number): boolean {
  const delay = renderRetryDelayMs(record, status);
  return delay !== undefined && now - Date.parse(status.at) >= delay;
}
