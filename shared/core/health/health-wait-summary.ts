// How a health wait ends, as data and in kustomize-controller's words: which objects are listed (Failed
// ones, and at the deadline every one not Current), which one is named first, and the HealthCheckFailed text.

import type { ObjectRef } from '../../ports/cluster-api.ts';
import { describeRef } from '../apply/object-ref.ts';
import type { HealthResult } from './health-result.ts';

export interface ObjectHealth extends HealthResult {
  ref: ObjectRef;
}

export type HealthWaitOutcome = 'healthy' | 'failed' | 'timeout' | 'aborted';

/** After one poll: all Current, or stop early (a Failed one with failFast, or only Current and Failed left). */
export function waitVerdict(
  objects: readonly ObjectHealth[],
  failFast: boolean,
): 'healthy' | 'failed' | 'pending' {
  if (objects.every((o) => o.status === 'Current')) return 'healthy';
  const anyFailed = objects.some((o) => o.status === 'Failed');
  // Something Failed never becomes Current by waiting, so a set of only Current and Failed is final.
  const terminal = objects.every((o) => o.status === 'Current' || o.status === 'Failed');
  return (failFast && anyFailed) || terminal ? 'failed' : 'pending';
}

/** `Kind/ns/name status: 'InProgress'`, with the error of an Unknown status as Flux appends it. */
export function describeHealth(o: ObjectHealth): string {
  const base = `${describeRef(o.ref)} status: '${o.status}'`;
  return o.status === 'Unknown' ? `${base}: ${o.message}` : base;
}

/** The objects a failed wait names, in the order they were given: Failed ones, and at a timeout all not Current. */
export function failingObjects(objects: readonly ObjectHealth[], outcome: HealthWaitOutcome): ObjectHealth[] {
  if (outcome === 'healthy' || outcome === 'aborted') return [];
  return objects.filter((o) => o.status === 'Failed' || (outcome === 'timeout' && o.status !== 'Current'));
}

/** kustomize-controller's HealthCheckFailed message (ssa WaitForSet), or '' when nothing failed. */
export function waitMessage(objects: readonly ObjectHealth[], outcome: HealthWaitOutcome): string {
  const listed = failingObjects(objects, outcome);
  if (outcome === 'aborted') return 'health check canceled';
  if (listed.length === 0) return '';
  const prefix = outcome === 'timeout' ? 'timeout waiting for' : 'failed early due to stalled resources';
  return `${prefix}: [${listed.map(describeHealth).join(', ')}]`;
}
