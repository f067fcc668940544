// kstatus' Service rule. It looks at `spec.clusterIP`, not `status.loadBalancer.ingress`: a LoadBalancer
// Service is Current once it has a cluster IP, whether or not the cloud has provisioned its balancer yet.
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, type HealthResult, inProgress } from './health-result.ts';
import { stringField } from './object-fields.ts';

export function serviceStatus(obj: KubeObject): HealthResult {
  const type = stringField(obj, 'spec.type', 'ClusterIP');
  if (type === 'LoadBalancer' && stringField(obj, 'spec.clusterIP', '') === '')
    return inProgress('NoIPAssigned', 'ClusterIP not set. Service type: LoadBalancer');
  return current('Service is ready');
}
