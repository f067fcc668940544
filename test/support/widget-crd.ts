// A namespaced CustomResourceDefinition for tests that need a custom kind: example.com/v1 Widget, any fields
// kept. Its objects are made with `widget`.
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';

export function widgetCrd(
  opts: { annotations?: Record<string, string>; statusSubresource?: boolean } = {},
): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com', ...(opts.annotations && { annotations: opts.annotations }) },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          ...(opts.statusSubresource && { subresources: { status: {} } }),
        },
      ],
    },
  };
}

export const widget = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name, namespace },
  spec: { size: 3 },
});
