// A one-Kustomization fleet for the rollback suites: `web` in flux-system renders ./web, whose only resource
// is `cm.yaml` (the object a test changes from revision to revision).
const yaml = (lines: string[]) => `${lines.join('\n')}\n`;

export function webFleet(cm: string): Record<string, string> {
  return {
    'clusters/dev/web.yaml': yaml([
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      '  name: web',
      '  namespace: flux-system',
      'spec:',
      '  interval: 10m',
      '  prune: true',
      '  path: ./web',
      '  sourceRef:',
      '    kind: GitRepository',
      '    name: flux-system',
    ]),
    'web/kustomization.yaml': yaml([
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '  - cm.yaml',
    ]),
    'web/cm.yaml': cm,
  };
}
