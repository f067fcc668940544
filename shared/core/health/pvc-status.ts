// kstatus' PersistentVolumeClaim rule: InProgress until the claim is Bound to a volume (never Failed: a
// claim waiting for a provisioner may still be bound later).
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, type HealthResult, inProgress } from './health-result.ts';
import { stringField } from './object-fields.ts';

export function persistentVolumeClaimStatus(obj: KubeObject): HealthResult {
  const phase = stringField(obj, 'status.phase', 'unknown');
  if (phase !== 'Bound') return inProgress('NotBound', `PVC is not Bound. phase: ${phase}`);
  return current('PVC is Bound');
}
