// kstatus' rules for any object, checked before and after the kind-specific ones: deletion, an unobserved
// generation, the standard Reconciling/Stalled conditions first; a Ready condition last.
import type { KubeObject } from '../render/yaml-codec.ts';
import { failed, type HealthResult, inProgress } from './health-result.ts';
import { conditionsOf, strictInt, strictString } from './object-fields.ts';

/** A status from the properties every object may have, or undefined to ask the kind's own rule. */
export function genericStatus(obj: KubeObject): HealthResult | undefined {
  const deletion = strictString(obj, 'metadata.deletionTimestamp');
  if (deletion) return { status: 'Terminating', message: 'Resource scheduled for deletion' };
  const unobserved = generationNotObserved(obj);
  if (unobserved) return unobserved;
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Reconciling' && c.status === 'True') return inProgress(c.reason, c.message);
    if (c.type === 'Stalled' && c.status === 'True') return failed(c.reason, c.message);
  }
  return undefined;
}

/** InProgress while the controller has not caught up with the latest spec (when it reports what it saw). */
export function generationNotObserved(obj: KubeObject): HealthResult | undefined {
  const generation = strictInt(obj, 'metadata.generation');
  if (generation === undefined) return undefined;
  const observed = strictInt(obj, 'status.observedGeneration');
  if (observed === undefined || observed === generation) return undefined;
  return inProgress(
    'LatestGenerationNotObserved',
    `${String(obj.kind ?? '')} generation is ${generation}, but latest observed generation is ${observed}`,
  );
}

/** The widespread (if unidiomatic) Ready condition, for kinds with no rule of their own. */
export function readyConditionStatus(obj: KubeObject): HealthResult | undefined {
  for (const c of conditionsOf(obj)) {
    if (c.type !== 'Ready') continue;
    if (c.status === 'True') return { status: 'Current', message: 'Resource is Ready' };
    // kstatus cannot tell a False Ready that will recover from one that will not: both are InProgress.
    if (c.status === 'False' || c.status === 'Unknown') return inProgress(c.reason, c.message);
  }
  return undefined;
}
