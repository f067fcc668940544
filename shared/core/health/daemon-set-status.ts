// kstatus' DaemonSet rule: the controller always records both generations once it has acted, so their
// absence means not yet observed; then every desired pod must be scheduled, updated, available and ready.
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, type HealthResult, inProgress } from './health-result.ts';
import { intField, strictInt } from './object-fields.ts';

export function daemonSetStatus(obj: KubeObject): HealthResult {
  const kind = String(obj.kind ?? '');
  if (strictInt(obj, 'metadata.generation') === undefined)
    return inProgress('NoGeneration', `${kind} metadata.generation not found`);
  if (strictInt(obj, 'status.observedGeneration') === undefined)
    return inProgress('NoObservedGeneration', `${kind} status.observedGeneration not found`);
  const desired = intField(obj, 'status.desiredNumberScheduled', -1);
  const scheduled = intField(obj, 'status.currentNumberScheduled', 0);
  const updated = intField(obj, 'status.updatedNumberScheduled', 0);
  const available = intField(obj, 'status.numberAvailable', 0);
  const ready = intField(obj, 'status.numberReady', 0);
  if (desired === -1) return inProgress('NoDesiredNumber', 'Missing .status.desiredNumberScheduled');
  if (desired > scheduled) return inProgress('LessCurrent', `Current: ${scheduled}/${desired}`);
  if (desired > updated) return inProgress('LessUpdated', `Updated: ${updated}/${desired}`);
  if (desired > available) return inProgress('LessAvailable', `Available: ${available}/${desired}`);
  if (desired > ready) return inProgress('LessReady', `Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}
