// kstatus' ReplicaSet rule: a ReplicaFailure condition or too few labelled, available or ready replicas
// keep it InProgress (never Failed: the controller keeps retrying).
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, type HealthResult, inProgress } from './health-result.ts';
import { conditionsOf, intField } from './object-fields.ts';

export function replicaSetStatus(obj: KubeObject): HealthResult {
  if (conditionsOf(obj).some((c) => c.type === 'ReplicaFailure' && c.status === 'True'))
    return inProgress('ReplicaFailure', 'Replica Failure condition. Check Pods');
  const spec = intField(obj, 'spec.replicas', 1);
  const replicas = intField(obj, 'status.replicas', 0);
  const ready = intField(obj, 'status.readyReplicas', 0);
  const available = intField(obj, 'status.availableReplicas', 0);
  const labelled = intField(obj, 'status.fullyLabeledReplicas', 0);
  if (spec > labelled) return inProgress('LessLabelled', `Labelled: ${labelled}/${spec}`);
  if (spec > available) return inProgress('LessAvailable', `Available: ${available}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  return current(`ReplicaSet is available. Replicas: ${replicas}`);
}
