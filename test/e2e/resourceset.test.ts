// A Flux Operator ResourceSet with inline inputs and a Static ResourceSetInputProvider in the fleet, rendered
// end to end: expanded at render time with the operator's template rules into a Namespace, a ConfigMap and
// a Flux Kustomization per tenant; those land in the test API server, and the Kustomizations render too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, kustomizationStatus, startHarness } from '../support/pipeline-harness.ts';

let h: Harness;

const TENANTS = `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata:
  name: platform-defaults
  namespace: flux-system
  labels:
    platform.example.com/inputs: defaults
spec:
  type: Static
  defaultValues:
    env: dev
    region: eu-west-1
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: tenants
  namespace: flux-system
spec:
  inputStrategy:
    name: Permute
  inputs:
    - tenant: team-a
      replicas: 2
    - tenant: team-b
      replicas: 3
  inputsFrom:
    - kind: ResourceSetInputProvider
      selector:
        matchLabels:
          platform.example.com/inputs: defaults
  commonMetadata:
    labels:
      platform.example.com/owner: platform
  resources:
    - apiVersion: v1
      kind: Namespace
      metadata:
        name: << inputs.tenants.tenant >>
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: tenant-info
        namespace: << inputs.tenants.tenant >>
      data:
        env: << inputs.platform_defaults.env | quote >>
        region: << inputs.platform_defaults.region | upper | quote >>
        replicas: << inputs.tenants.replicas | quote >>
        slug: << printf "%s %s" inputs.tenants.tenant inputs.platform_defaults.env | slugify | quote >>
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: << inputs.tenants.tenant >>-apps
        namespace: flux-system
      spec:
        interval: 10m
        path: ./tenants/base
        prune: true
        targetNamespace: << inputs.tenants.tenant >>
        sourceRef:
          kind: GitRepository
          name: flux-system
`;

// A provider that asks GitHub for pull requests: reported, and its ResourceSet generates nothing.
const PREVIEWS = `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata:
  name: app-pull-requests
  namespace: flux-system
spec:
  type: GitHubPullRequest
  url: https://github.com/example/app
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: previews
  namespace: flux-system
spec:
  inputsFrom:
    - name: app-pull-requests
  resources:
    - apiVersion: v1
      kind: Namespace
      metadata:
        name: preview-<< inputs.id >>
`;

const TENANT_BASE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: welcome
data:
  message: hello tenant
`;

const configMap = (name: string, namespace: string) =>
  h.kube.object('v1', 'ConfigMap', name, namespace) as
    | { data?: Record<string, string>; metadata: { labels?: Record<string, string> } }
    | undefined;

beforeAll(async () => {
  h = await startHarness({
    files: {
      'clusters/dev/tenants.yaml': TENANTS,
      'clusters/dev/previews.yaml': PREVIEWS,
      'tenants/base/kustomization.yaml': 'resources:\n- welcome.yaml\n',
      'tenants/base/welcome.yaml': TENANT_BASE,
    },
  });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
});

describe('a ResourceSet with static inputs', () => {
  it('applies the objects it generates for every tenant, with its owner labels and commonMetadata', async () => {
    await h.waitFor(
      'the generated ConfigMaps applied',
      () => (configMap('tenant-info', 'team-a') && configMap('tenant-info', 'team-b') ? true : undefined),
      60_000,
    );
    expect(h.kube.object('v1', 'Namespace', 'team-a')).toBeDefined();
    expect(h.kube.object('v1', 'Namespace', 'team-b')).toBeDefined();
    const info = configMap('tenant-info', 'team-b');
    expect(info?.data).toEqual({ env: 'dev', region: 'EU-WEST-1', replicas: '3', slug: 'team-b-dev' });
    expect(info?.metadata.labels).toMatchObject({
      'platform.example.com/owner': 'platform',
      'resourceset.fluxcd.controlplane.io/name': 'tenants',
      'resourceset.fluxcd.controlplane.io/namespace': 'flux-system',
    });
  });

  it('renders the Flux Kustomizations it generates as children, into each tenant namespace', async () => {
    await h.waitFor(
      'the tenant Kustomizations applied',
      () => (configMap('welcome', 'team-a') && configMap('welcome', 'team-b') ? true : undefined),
      60_000,
    );
    const view = await h.status();
    expect(kustomizationStatus(view, 'team-a-apps')?.render?.ready).toBe(true);
    expect(kustomizationStatus(view, 'team-b-apps')?.render?.ready).toBe(true);
  });

  it('says in status what it expanded and what it could not, and never ships a ResourceSet or a provider', async () => {
    const root = kustomizationStatus(await h.status(), 'flux-system');
    expect(root?.render?.warnings).toContain(
      'ResourceSet/flux-system/tenants: generated 6 objects from 2 input sets',
    );
    expect(root?.render?.warnings).toContain(
      'ResourceSet/flux-system/previews: not expanded: ResourceSetInputProvider/flux-system/app-pull-requests: input provider type GitHubPullRequest is not supported by Sluice yet: its inputs come from a service at runtime, not from Git (use type Static, or inline spec.inputs)',
    );
    expect(
      h.kube.object('fluxcd.controlplane.io/v1', 'ResourceSet', 'tenants', 'flux-system'),
    ).toBeUndefined();
    expect(
      h.kube.object(
        'fluxcd.controlplane.io/v1',
        'ResourceSetInputProvider',
        'platform-defaults',
        'flux-system',
      ),
    ).toBeUndefined();
  });
});
