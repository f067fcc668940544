// Flux's Job rule (fluxcd/pkg runtime/statusreaders), which kustomize-controller waits with instead of
// kstatus': a running Job is InProgress, so `wait` means "ran to completion"; a suspended one is Current.
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, failed, type HealthResult, inProgress } from './health-result.ts';
import { jobCounts } from './job-status.ts';
import { conditionsOf } from './object-fields.ts';

export function fluxJobStatus(obj: KubeObject): HealthResult {
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (spec?.suspend === true) return current('Job is suspended');
  const n = jobCounts(obj);
  for (const c of conditionsOf(obj)) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete') return current(`Job Completed. succeeded: ${n.succeeded}/${n.completions}`);
    if (c.type === 'Failed') return failed('JobFailed', `Job Failed. failed: ${n.failed}/${n.completions}`);
  }
  if (!n.started) return inProgress('JobNotStarted', `Job not started. active: 0/${n.parallelism}`);
  return inProgress(
    'JobInProgress',
    `Job in progress. success:${n.succeeded}, active: ${n.active}, failed: ${n.failed}`,
  );
}
