// Tenancy is never silently weaker than Flux: serviceAccountName is carried to the puller, which acts as that
// service account of the Kustomization's own namespace (so a tenant's RBAC bounds what it applies), Flux's
// multi-tenancy lockdown (noCrossNamespaceRefs) is a setting, and one render's fan-out is bounded. Black-box
// through the embedded control plane, its Git server and the test API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import type { Kustomization } from '../../shared/api/kustomization.ts';
import { loadCloudConfig } from '../../shared/config/cloud-config.ts';
import type { SignedArtifact } from '../../shared/core/artifact/artifact.ts';
import { isSluiceError } from '../../shared/core/errors.ts';
import { crossNamespaceRefs } from '../../shared/core/pipeline/cross-namespace-refs.ts';
import { splitRenderedObjects } from '../../shared/core/pipeline/split-rendered-objects.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { getJson } from '../../shared/ports/object-store.ts';
import { type Harness, kustomizationStatus, startHarness } from '../support/pipeline-harness.ts';

const ks = (meta: string, spec: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n${meta}\nspec:\n  interval: 10m\n  prune: true\n${spec}\n`;
const fromFleet = '  sourceRef:\n    kind: GitRepository\n    name: flux-system';
const fromTenantRepo = '  sourceRef:\n    kind: GitRepository\n    name: fleet';
const namespaces = (prefix: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${prefix}-${i}\n`,
  ).join('---\n');
const configMaps = (prefix: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${prefix}-${i}\n  namespace: flux-system\ndata:\n  i: "${i}"\n`,
  ).join('---\n');

const LIMITS = { maxObjectsPerRender: 20, maxChildrenPerKustomization: 6 };

// The root (clusters/dev) declares exactly 6 children: apps, infrastructure, cluster-vars (example fleet),
// tenants, fanout and bulk, so it sits at the children limit and under the objects limit. (The example
// fleet's HelmRelease and the HelmChart it implies would be two more: left out here.)
const FLEET = (fleetUrl: string): Record<string, string | null> => ({
  'clusters/dev/hello.yaml': null,
  'clusters/dev/tenants.yaml': ks(
    '  name: tenants\n  namespace: flux-system',
    `  path: ./tenants\n  targetNamespace: team-a\n${fromFleet}`,
  ),
  'clusters/dev/fanout.yaml': ks(
    '  name: fanout\n  namespace: flux-system',
    `  path: ./fanout\n${fromFleet}`,
  ),
  'clusters/dev/bulk.yaml': ks('  name: bulk\n  namespace: flux-system', `  path: ./bulk\n${fromFleet}`),
  // The tenant's repository (here a directory of the fleet, rendered with targetNamespace: team-a). Each object
  // asks for namespace flux-system; the parent's targetNamespace moves every one of them to team-a.
  'tenants/repo.yaml': `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: fleet\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: ${fleetUrl}\n  ref:\n    branch: main\n`,
  'tenants/ok.yaml': ks(
    '  name: tenant-ok\n  namespace: flux-system',
    `  path: ./tenant-ok\n${fromTenantRepo}`,
  ),
  'tenants/cross-source.yaml': ks(
    '  name: cross-source\n  namespace: flux-system',
    `  path: ./tenant-ok\n${fromFleet}\n    namespace: flux-system`,
  ),
  'tenants/cross-depends.yaml': ks(
    '  name: cross-depends\n  namespace: flux-system',
    `  path: ./tenant-ok\n${fromTenantRepo}\n  dependsOn:\n    - name: apps\n      namespace: flux-system`,
  ),
  'tenants/subst.yaml': ks(
    '  name: tenant-subst\n  namespace: flux-system',
    `  path: ./tenant-ok\n${fromTenantRepo}\n  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-vars`,
  ),
  'tenant-ok/ns.yaml': namespaces('tenant-ok', 1),
  'fanout/configs.yaml': configMaps('fan', 2),
  'bulk/namespaces.yaml': namespaces('bulk', 3),
});

let h: Harness;
const find = async (name: string) => kustomizationStatus(await h.status(), name);
const renderFailed = (name: string) =>
  h.waitFor(`render failure of ${name}`, async () => {
    const k = await find(name);
    return k?.render && !k.render.ready ? k : undefined;
  });
const publishedAt = (name: string, revision: string) =>
  h.waitFor(`${name} published at ${revision}`, async () => {
    const k = await find(name);
    return k?.render?.ready && k.artifact?.revision === revision ? k : undefined;
  });

// A push delivery names its commit, as Git hosts' payloads do (a repeated body is a replay).
const pushed = (sha: string) => h.webhook({ repository: { clone_url: h.git.url('fleet') }, after: sha });

beforeAll(async () => {
  h = await startHarness({ settings: { noCrossNamespaceRefs: true, ...LIMITS } });
  await h.push(FLEET(h.git.url('fleet')), 'tenants, fan-out and bulk');
  await h.start();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('spec.serviceAccountName', () => {
  const kustomization = (serviceAccountName: string) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'team-a', namespace: 'team-a' },
    spec: {
      interval: '10m',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'team-a' },
      serviceAccountName,
    },
  });
  const decode = (raw: Record<string, unknown>) =>
    decodeResource(raw, { file: 'clusters/dev/team-a.yaml', document: 0 });

  it('is decoded, for the puller to impersonate', () => {
    const decoded = decode(kustomization('team-a-reconciler')) as Kustomization;
    expect(decoded.spec.serviceAccountName).toBe('team-a-reconciler');
  });

  it('is held to the same rule on a HelmRelease, whose release the puller installs as that account', () => {
    const release = (serviceAccountName: string) => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'web', namespace: 'team-a' },
      spec: {
        interval: '10m',
        chart: { spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
        serviceAccountName,
      },
    });
    expect(decode(release('deployer'))).toMatchObject({ spec: { serviceAccountName: 'deployer' } });
    let code: string | undefined;
    try {
      decode(release('flux-system:helm-controller'));
    } catch (err) {
      code = isSluiceError(err) ? `${err.code} ${err.field}` : String(err);
    }
    expect(code).toBe('ValidationFailed spec.serviceAccountName');
  });

  // The puller impersonates `system:serviceaccount:<ns>:<name>`: a name with `:` would be another user.
  it.each(['flux-system:kustomize-controller', 'system:masters', 'Admin', ''])(
    'refuses %j, which is no ServiceAccount name, naming the file, the object and the field',
    (name) => {
      let error: unknown;
      try {
        decode(kustomization(name));
      } catch (err) {
        error = err;
      }
      if (!isSluiceError(error)) throw new Error('expected a SluiceError');
      expect(error).toMatchObject({
        code: 'ValidationFailed',
        file: 'clusters/dev/team-a.yaml',
        object: 'Kustomization/team-a/team-a',
        field: 'spec.serviceAccountName',
      });
    },
  );
});

describe('noCrossNamespaceRefs (Flux --no-cross-namespace-refs)', () => {
  it("refuses a tenant Kustomization whose sourceRef names another namespace's source, and only that one", async () => {
    const denied = await renderFailed('cross-source');
    expect(denied.namespace).toBe('team-a');
    expect(denied.render?.reason).toBe('AccessDenied');
    expect(denied.render?.message).toBe(
      'tenants/cross-source.yaml: Kustomization/team-a/cross-source: cross-namespace references are blocked (setting noCrossNamespaceRefs is on): spec.sourceRef.namespace: GitRepository/flux-system/flux-system; reference only objects in namespace team-a',
    );
    expect(denied.artifact).toBeUndefined(); // nothing was ever published for it

    // Its parent and its well-behaved sibling are unaffected.
    const head = `main@sha1:${await h.repo.head()}`;
    await publishedAt('tenants', head);
    const ok = await publishedAt('tenant-ok', head);
    expect(ok.namespace).toBe('team-a');
  });

  it('refuses a dependsOn naming another namespace', async () => {
    const denied = await renderFailed('cross-depends');
    expect(denied.render?.reason).toBe('AccessDenied');
    expect(denied.render?.message).toContain('spec.dependsOn[0].namespace: Kustomization/flux-system/apps');
    expect(denied.render?.message).toContain('noCrossNamespaceRefs');
  });

  it("gives substituteFrom only the tenant's own namespace: the platform's ConfigMap is not found", async () => {
    const failed = await renderFailed('tenant-subst');
    expect(failed.render?.reason).toBe('DependencyNotReady');
    expect(failed.render?.message).toContain("ConfigMap 'team-a/cluster-vars' not found");
  });
});

describe('bounds on one render', () => {
  it('refuses too many objects or children with a permanent error, keeping the last good state and the siblings', async () => {
    const good = `main@sha1:${await h.repo.head()}`;
    await publishedAt('bulk', good);
    await publishedAt('fanout', good);
    await h.waitFor('fan-1 applied', () => h.kube.object('v1', 'ConfigMap', 'fan-1', 'flux-system'));

    const sha = await h.push(
      { 'bulk/namespaces.yaml': namespaces('bulk', 25), 'fanout/configs.yaml': configMaps('fan', 7) },
      'fan out',
    );
    await pushed(sha);
    const bulk = await renderFailed('bulk');
    expect(bulk.render?.reason).toBe('BuildFailed');
    expect(bulk.render?.message).toBe(
      'clusters/dev/bulk.yaml: Kustomization/flux-system/bulk: renders 25 objects, more than the limit of 20 per render (setting maxObjectsPerRender); split it into several Kustomizations, or raise the setting if this is intended',
    );
    expect(bulk.artifact?.revision).toBe(good);
    const fanout = await renderFailed('fanout');
    expect(fanout.render?.message).toContain(
      'declares 7 Kustomizations, GitRepositories, ConfigMaps and Secrets, more than the limit of 6 per Kustomization (setting maxChildrenPerKustomization)',
    );
    expect(fanout.artifact?.revision).toBe(good);
    // Nothing of the refused render was registered or applied; what the last good one declared stays.
    expect(h.kube.object('v1', 'ConfigMap', 'fan-1', 'flux-system')).toBeDefined();
    expect(h.kube.object('v1', 'ConfigMap', 'fan-2', 'flux-system')).toBeUndefined();
    expect(h.kube.object('v1', 'Namespace', 'bulk-3')).toBeUndefined();
    // A sibling renders the same commit as usual.
    await publishedAt('apps', `main@sha1:${sha}`);
  });
});

describe('serviceAccountName in a rendered tenant repository', () => {
  it("is applied as the service account of the namespace the parent's targetNamespace gave it, within its RBAC only", async () => {
    const good = `main@sha1:${await h.repo.head()}`;
    await publishedAt('tenant-ok', good);
    await h.waitFor('tenant-ok-0 applied', () => h.kube.object('v1', 'Namespace', 'tenant-ok-0'));
    // The file asks for namespace flux-system; the parent's targetNamespace moves it to team-a, so the account
    // impersonated is team-a's, whatever flux-system's accounts may do.
    const sha = await h.push(
      {
        'tenants/ok.yaml': ks(
          '  name: tenant-ok\n  namespace: flux-system',
          `  path: ./tenant-ok\n  serviceAccountName: kustomize-controller\n${fromTenantRepo}`,
        ),
      },
      'impersonate',
    );
    await pushed(sha);
    const ok = await publishedAt('tenant-ok', `main@sha1:${sha}`);
    const artifact = await getJson<SignedArtifact>(h.plane.deps.store, ok.artifact?.artifactKey ?? '');
    expect(artifact?.payload.apply.serviceAccountName).toBe('kustomize-controller');
    // That account has no RBAC: the cluster-scoped Namespace it declares is refused, and the refusal is
    // reported with the object, the verb and the user; the Namespace applied before stays.
    const denied = await h.waitFor('tenant-ok refused', async () => {
      const k = await find('tenant-ok');
      return k?.apply && !k.apply.ready && k.apply.revision === `main@sha1:${sha}` ? k : undefined;
    });
    expect(denied.apply?.message).toContain(
      'Namespace/tenant-ok-0: apply failed (HTTP 403): namespaces "tenant-ok-0" is forbidden: User "system:serviceaccount:team-a:kustomize-controller" cannot patch resource "namespaces" in API group "" at the cluster scope',
    );
    expect(h.kube.object('v1', 'Namespace', 'tenant-ok-0')).toBeDefined();
  });
});

describe('which references the lockdown refuses', () => {
  const tenant = (spec: Partial<Kustomization['spec']>): Kustomization =>
    ({
      metadata: { name: 'app', namespace: 'team-a', labels: {}, annotations: {} },
      spec: { sourceRef: { kind: 'GitRepository', name: 'repo' }, ...spec },
    }) as Kustomization;
  it.each([
    ['a sourceRef without namespace', {}, []],
    [
      'a sourceRef naming its own namespace',
      { sourceRef: { kind: 'GitRepository', name: 'r', namespace: 'team-a' } },
      [],
    ],
    [
      'a sourceRef naming another namespace',
      { sourceRef: { kind: 'GitRepository', name: 'r', namespace: 'team-b' } },
      ['spec.sourceRef.namespace'],
    ],
    ['dependsOn without namespace', { dependsOn: [{ name: 'db' }] }, []],
    [
      'dependsOn naming another namespace',
      {
        dependsOn: [
          { name: 'db', namespace: 'team-a' },
          { name: 'db', namespace: 'flux-system' },
        ],
      },
      ['spec.dependsOn[1].namespace'],
    ],
  ] as const)('%s → %j', (_what, spec, fields) => {
    expect(crossNamespaceRefs(tenant(spec as Partial<Kustomization['spec']>)).map((r) => r.field)).toEqual(
      fields,
    );
  });
});

describe('the bounds are inclusive limits', () => {
  const cm = (i: number): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `c${i}`, namespace: 'flux-system' },
    data: {},
  });
  const ns = (i: number): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: `n${i}` },
  });
  const limits = { maxObjectsPerRender: 5, maxChildrenPerKustomization: 3 };
  const code = (objects: KubeObject[]) => {
    try {
      splitRenderedObjects(objects, 'Kustomization/flux-system/x', limits);
      return 'ok';
    } catch (err) {
      return isSluiceError(err) ? `${err.code}${err.retryable ? ' (retryable)' : ''}` : String(err);
    }
  };
  it.each([
    ['5 objects', [0, 1, 2, 3, 4].map(ns), 'ok'],
    ['6 objects', [0, 1, 2, 3, 4, 5].map(ns), 'LimitExceeded'],
    ['3 children', [0, 1, 2].map(cm), 'ok'],
    ['4 children', [0, 1, 2, 3].map(cm), 'LimitExceeded'],
  ])('%s → %s', (_what, objects, expected) => {
    expect(code(objects)).toBe(expected);
  });
});

describe('the settings in the cloud', () => {
  const base = {
    AWS_REGION: 'eu-west-1',
    SLUICE_BUCKET: 'b',
    SLUICE_SIGNING_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
    SLUICE_DATA_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/data',
    SLUICE_CLUSTERS: 'dev',
    SLUICE_FLEET_URL: 'https://git.example.com/fleet.git',
    SLUICE_WEBHOOK_SECRET: 's',
  };
  it('default to Flux: lockdown off, 10,000 objects per render, 2,000 children per Kustomization', () => {
    expect(loadCloudConfig(base)).toMatchObject({
      noCrossNamespaceRefs: false,
      maxObjectsPerRender: 10_000,
      maxChildrenPerKustomization: 2000,
    });
  });
  it('are read from SLUICE_NO_CROSS_NAMESPACE_REFS and the SLUICE_MAX_* variables', () => {
    expect(
      loadCloudConfig({
        ...base,
        SLUICE_NO_CROSS_NAMESPACE_REFS: 'true',
        SLUICE_MAX_OBJECTS_PER_RENDER: '200',
        SLUICE_MAX_CHILDREN_PER_KUSTOMIZATION: '20',
      }),
    ).toMatchObject({
      noCrossNamespaceRefs: true,
      maxObjectsPerRender: 200,
      maxChildrenPerKustomization: 20,
    });
  });
  it.each([
    ['SLUICE_NO_CROSS_NAMESPACE_REFS', 'yes'],
    ['SLUICE_MAX_OBJECTS_PER_RENDER', '0'],
    ['SLUICE_MAX_CHILDREN_PER_KUSTOMIZATION', 'many'],
  ])('refuse %s=%s rather than fall back silently', (name, value) => {
    let code: string | undefined;
    try {
      loadCloudConfig({ ...base, [name]: value });
    } catch (err) {
      code = isSluiceError(err) ? err.code : String(err);
    }
    expect(code).toBe('ConfigInvalid');
  });
});
