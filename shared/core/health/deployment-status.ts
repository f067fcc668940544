// kstatus' Deployment rule: Failed once the progress deadline is exceeded, InProgress until every replica
// is updated, available and ready and the Progressing/Available conditions say so.
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, failed, type HealthResult, inProgress } from './health-result.ts';
import { conditionsOf, intField } from './object-fields.ts';

/** The controller's "no deadline" value: it never sets Progressing then, so progress is assumed. */
const NO_DEADLINE = 2_147_483_647;

export function deploymentStatus(obj: KubeObject): HealthResult {
  let progressing = intField(obj, 'spec.progressDeadlineSeconds', NO_DEADLINE) === NO_DEADLINE;
  let available = false;
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Progressing') {
      if (c.reason === 'ProgressDeadlineExceeded') {
        return failed(c.reason, 'Progress deadline exceeded');
      }
      if (c.status === 'True' && c.reason === 'NewReplicaSetAvailable') progressing = true;
    } else if (c.type === 'Available' && c.status === 'True') {
      available = true;
    }
  }
  const spec = intField(obj, 'spec.replicas', 1);
  const replicas = intField(obj, 'status.replicas', 0);
  const updated = intField(obj, 'status.updatedReplicas', 0);
  const ready = intField(obj, 'status.readyReplicas', 0);
  const availableReplicas = intField(obj, 'status.availableReplicas', 0);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > updated) return inProgress('LessUpdated', `Updated: ${updated}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (updated > availableReplicas)
    return inProgress('LessAvailable', `Available: ${availableReplicas}/${updated}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (!progressing) return inProgress('ReplicaSetNotAvailable', 'ReplicaSet not Available');
  if (!available) return inProgress('DeploymentNotAvailable', 'Deployment not Available');
  return current(`Deployment is available. Replicas: ${replicas}`);
}
