// kstatus' Job rule: Current once started (running or done), Failed on a Failed condition, Current when
// suspended on purpose; InProgress only until the Job has started.
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, failed, type HealthResult, inProgress } from './health-result.ts';
import { boolField, conditionsOf, intField, stringField } from './object-fields.ts';

export function jobCounts(obj: KubeObject) {
  const parallelism = intField(obj, 'spec.parallelism', 1);
  return {
    parallelism,
    completions: intField(obj, 'spec.completions', parallelism),
    succeeded: intField(obj, 'status.succeeded', 0),
    active: intField(obj, 'status.active', 0),
    failed: intField(obj, 'status.failed', 0),
    started: stringField(obj, 'status.startTime', '') !== '',
  };
}

export function jobStatus(obj: KubeObject): HealthResult {
  const n = jobCounts(obj);
  const suspended = boolField(obj, 'spec.suspend', false);
  for (const c of conditionsOf(obj)) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete') return current(`Job Completed. succeeded: ${n.succeeded}/${n.completions}`);
    if (c.type === 'Failed') return failed('JobFailed', `Job Failed. failed: ${n.failed}/${n.completions}`);
    // Only a Job meant to be suspended and acknowledged as such; one on its way in or out is in progress.
    if (c.type === 'Suspended' && suspended) return current('Job is suspended');
  }
  if (!n.started) return inProgress('JobNotStarted', 'Job not started');
  return current(`Job in progress. success:${n.succeeded}, active: ${n.active}, failed: ${n.failed}`);
}
