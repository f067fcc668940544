// kstatus' CustomResourceDefinition rule: Current once Established; Failed when its names are refused or it
// is not established for any reason but still installing; InProgress while installing.
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, failed, type HealthResult, inProgress } from './health-result.ts';
import { conditionsOf } from './object-fields.ts';

export function customResourceDefinitionStatus(obj: KubeObject): HealthResult {
  for (const c of conditionsOf(obj)) {
    if (c.type === 'NamesAccepted' && c.status === 'False') return failed(c.reason, c.message);
    if (c.type === 'Established') {
      if (c.status === 'False' && c.reason !== 'Installing') return failed(c.reason, c.message);
      if (c.status === 'True') return current('CRD is established');
    }
  }
  return inProgress('Installing', 'Install in progress');
}
