// Tenancy is never silently weaker than Flux: serviceAccountName (impersonation) is refused until the puller
// can impersonate, Flux's multi-tenancy lockdown (noCrossNamespaceRefs) is a setting, and one render's
// fan-out is bounded. Black-box through the embedded control plane, its Git server and the test API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import type { SignedArtifact } from '../../shared/core/artifact/artifact.ts';
import { isSluiceError } from '../../shared/core/errors.ts';
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
// tenants, fanout and bulk, so it sits at the children limit and under the objects limit.
const FLEET = (fleetUrl: string): Record<string, string> => ({
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

beforeAll(async () => {
  h = await startHarness({ settings: { noCrossNamespaceRefs: true, ...LIMITS } });
  await h.push(FLEET(h.git.url('fleet')), 'tenants, fan-out and bulk');
  await h.start();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('spec.serviceAccountName (impersonation is not built yet)', () => {
  it('is refused at decode time, naming the file, the object and the field, and why refusing is safe', () => {
    const raw = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'team-a', namespace: 'team-a' },
      spec: {
        interval: '10m',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'team-a' },
        serviceAccountName: 'team-a-reconciler',
      },
    };
    let error: unknown;
    try {
      decodeResource(raw, { file: 'clusters/dev/team-a.yaml', document: 0 });
    } catch (err) {
      error = err;
    }
    if (!isSluiceError(error)) throw new Error('expected a SluiceError');
    expect(error).toMatchObject({
      code: 'ValidationFailed',
      retryable: false,
      file: 'clusters/dev/team-a.yaml',
      object: 'Kustomization/team-a/team-a',
      field: 'spec.serviceAccountName',
    });
    expect(error.message).toMatch(/^clusters\/dev\/team-a\.yaml: Kustomization\/team-a\/team-a: /);
    expect(error.message).toContain('spec.serviceAccountName: impersonation is not supported');
    expect(error.message).toContain("applied with the puller's own (cluster-wide) rights");
  });
});

describe('noCrossNamespaceRefs (Flux --no-cross-namespace-refs)', () => {
  it("refuses a tenant Kustomization whose sourceRef names another namespace's source, and only that one", async () => {
    const denied = await renderFailed('cross-source');
    expect(denied.namespace).toBe('team-a');
    expect(denied.render?.reason).toBe('AccessDenied');
    expect(denied.render?.message).toBe(
      'Kustomization/team-a/cross-source: cross-namespace references are blocked (setting noCrossNamespaceRefs is on): spec.sourceRef.namespace: GitRepository/flux-system/flux-system; reference only objects in namespace team-a',
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
    await h.webhook();
    const bulk = await renderFailed('bulk');
    expect(bulk.render?.reason).toBe('BuildFailed');
    expect(bulk.render?.message).toBe(
      'Kustomization/flux-system/bulk: renders 25 objects, more than the limit of 20 per render (setting maxObjectsPerRender); split it into several Kustomizations, or raise the setting if this is intended',
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
  it("fails the declaring render (never applying with the puller's rights) and keeps the last good state", async () => {
    const good = `main@sha1:${await h.repo.head()}`;
    await publishedAt('tenants', good);
    await h.push(
      {
        'tenants/ok.yaml': ks(
          '  name: tenant-ok\n  namespace: flux-system',
          `  path: ./tenant-ok\n  serviceAccountName: team-a\n${fromTenantRepo}`,
        ),
      },
      'impersonate',
    );
    await h.webhook();
    const failed = await renderFailed('tenants');
    expect(failed.render?.reason).toBe('BuildFailed');
    expect(failed.render?.message).toContain('output of Kustomization/flux-system/tenants');
    expect(failed.render?.message).toContain(
      'Kustomization/team-a/tenant-ok: spec.serviceAccountName: impersonation is not supported',
    );
    expect(failed.artifact?.revision).toBe(good);
    // tenant-ok keeps its last good declaration (it still renders new commits of its source), and no artifact
    // ever carries a service account the puller would not honour.
    const ok = await find('tenant-ok');
    expect(ok?.artifact?.deleted).toBeUndefined();
    const artifact = await getJson<SignedArtifact>(h.plane.deps.store, ok?.artifact?.artifactKey ?? '');
    expect(artifact?.payload.apply).toBeDefined();
    expect(artifact?.payload.apply).not.toHaveProperty('serviceAccountName');
  });
});
