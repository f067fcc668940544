// kstatus' StatefulSet rule: its controller sets no conditions, so the replica counts, the partition of a
// rolling update and the current vs update revision decide.
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, type HealthResult, inProgress } from './health-result.ts';
import { intField, stringField } from './object-fields.ts';

export function statefulSetStatus(obj: KubeObject): HealthResult {
  // OnDelete: the user replaces pods by hand, so there is no rollout to wait for.
  if (stringField(obj, 'spec.updateStrategy.type', '') === 'OnDelete')
    return current('StatefulSet is using the ondelete update strategy');
  const spec = intField(obj, 'spec.replicas', 1);
  const ready = intField(obj, 'status.readyReplicas', 0);
  const currentReplicas = intField(obj, 'status.currentReplicas', 0);
  const updated = intField(obj, 'status.updatedReplicas', 0);
  const replicas = intField(obj, 'status.replicas', 0);
  const partition = intField(obj, 'spec.updateStrategy.rollingUpdate.partition', -1);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (partition !== -1) {
    if (updated < spec - partition)
      return inProgress('PartitionRollout', `updated: ${updated}/${spec - partition}`);
    return current(`Partition rollout complete. updated: ${updated}`);
  }
  if (spec > currentReplicas) return inProgress('LessCurrent', `current: ${currentReplicas}/${spec}`);
  if (stringField(obj, 'status.currentRevision', '') !== stringField(obj, 'status.updateRevision', ''))
    return inProgress('RevisionMismatch', 'Waiting for updated revision to match current');
  return current(`All replicas scheduled as expected. Replicas: ${replicas}`);
}
