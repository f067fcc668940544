// The health of one live object as kustomize-controller's poller judges it: the healthCheckExprs entry for
// its kind or group when there is one, Flux's Job rule for Jobs, kstatus' rules for everything else.
import type { KubeObject } from '../render/yaml-codec.ts';
import { celStatus } from './cel-status.ts';
import { computeStatus } from './compute-status.ts';
import { fluxJobStatus } from './flux-job-status.ts';
import { groupOf } from './group-kind.ts';
import { type HealthCheckRules, healthCheckFor } from './health-check-rules.ts';
import type { HealthResult } from './health-result.ts';

export function objectHealth(obj: KubeObject, opts: { now: number; rules?: HealthCheckRules }): HealthResult {
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const custom = opts.rules && healthCheckFor(opts.rules, apiVersion, kind);
  if (custom) return celStatus(custom, obj);
  // Flux's Job reader replaces kstatus' whole Compute for Jobs, generic checks included.
  if (groupOf(apiVersion) === 'batch' && kind === 'Job') return guarded(() => fluxJobStatus(obj));
  return computeStatus(obj, { now: opts.now });
}

function guarded(rule: () => HealthResult): HealthResult {
  try {
    return rule();
  } catch (err) {
    return { status: 'Unknown', message: `Failed to compute job status: ${(err as Error).message}` };
  }
}
