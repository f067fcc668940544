// A target's apply status as Flux's conditions (Ready, Reconciling, Stalled), from the puller's last report:
// what `kubectl get kustomization` users read. Stalled: nothing changes until someone does (a new publish,
// a fixed dependsOn); Reconciling: it is being retried or is in progress.
import type { ApplyReport } from './jobs.ts';

export interface Condition {
  type: 'Ready' | 'Reconciling' | 'Stalled';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export function conditionsOf(report: ApplyReport): Condition[] {
  const ready: Condition = {
    type: 'Ready',
    status: report.ready ? 'True' : 'False',
    reason: report.reason,
    message: report.message,
  };
  if (report.ready) return [ready];
  if (report.stalled)
    return [ready, { type: 'Stalled', status: 'True', reason: report.reason, message: report.message }];
  return [
    ready,
    {
      type: 'Reconciling',
      status: 'True',
      reason: 'ProgressingWithRetry',
      message: `${report.reason}: retrying (spec.retryInterval, else the interval)`,
    },
  ];
}
