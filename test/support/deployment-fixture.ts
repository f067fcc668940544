// A minimal Deployment in namespace apps whose selector (immutable) is its `app` label: the object the
// apply tests change to exercise immutable-field handling.
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';

export function deployment(name: string, app: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'apps' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
    },
  };
}
