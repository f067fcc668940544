// Multi-tenancy through the real puller against the test API server with RBAC on: a target's
// serviceAccountName (or the puller's default service account) makes every call of that target impersonate
// `system:serviceaccount:<target ns>:<name>`; what its RBAC refuses is reported with the object and the verb
// and never created, changed or pruned; the puller's own inventory is written as the puller itself.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HelmReleaseApply } from '../../shared/core/helm/helm-release-apply.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import { type KubeObject, objectsToYaml } from '../../shared/core/render/yaml-codec.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { type PullerWorld, startPullerWorld } from '../support/puller-world.ts';
import {
  ownedConfigMap,
  PULLER_USER,
  startTenantPuller,
  type TenantPuller,
} from '../support/tenant-puller.ts';

const queues = defaultQueueNames('tenancy-test');
const DEPLOYER = 'system:serviceaccount:team-a:deployer';
const TEAM_A: Target = { kind: 'Kustomization', namespace: 'team-a', name: 'apps' };

let world: PullerWorld;
let t: TenantPuller;

beforeAll(async () => {
  world = await startPullerWorld({
    name: 'tenancy',
    bucket: 'sluice-tenancy-test',
    queues,
    clusters: ['reports'],
  });
});
afterAll(() => world?.close());

beforeEach(async () => {
  t = await startTenantPuller(world, { queues, namespaces: ['team-a', 'team-b'] });
  // As Flux's multi-tenancy example: the tenant's service account is admin of its own namespace only.
  await t.grantNamespaceAdmin('team-a', 'deployer');
  t.kube.requests.length = 0;
});
afterEach(() => t.close());

const configMap = (name: string, namespace = 'team-a', owner: Target = TEAM_A) =>
  ownedConfigMap(owner, name, namespace);
const clusterRole = (name: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name },
  rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
});
const publish = (target: Target, objects: KubeObject[], apply = {}) => t.publish(target, objects, apply);
const reconcile = (target: Target = TEAM_A) => t.reconcile(target);
const live = (name: string, namespace = 'team-a') => t.kube.object('v1', 'ConfigMap', name, namespace);
const usersOf = (pathPart: string) => t.usersOf(pathPart);

describe('a Kustomization with serviceAccountName', () => {
  it("applies as its service account, and writes the puller's inventory as the puller", async () => {
    await publish(TEAM_A, [configMap('app')], { serviceAccountName: 'deployer' });
    const report = await reconcile();
    expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
    expect(live('app')).toBeDefined();
    expect(usersOf('/namespaces/team-a/configmaps')).toEqual(new Set([DEPLOYER]));
    expect(usersOf('/namespaces/sluice-system/')).toEqual(new Set([PULLER_USER]));
  });

  it('cannot create a ClusterRole: the status names the object and the verb, and the last good state stays', async () => {
    await publish(TEAM_A, [configMap('app')], { serviceAccountName: 'deployer' });
    const good = await reconcile();
    await publish(TEAM_A, [configMap('app'), configMap('extra'), clusterRole('escalate')], {
      serviceAccountName: 'deployer',
    });
    const report = await reconcile();
    expect(report).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
    expect(report.message).toContain(
      `ClusterRole/escalate: apply failed (HTTP 403): clusterroles.rbac.authorization.k8s.io "escalate" is forbidden: User "${DEPLOYER}" cannot patch resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope`,
    );
    expect(t.kube.object('rbac.authorization.k8s.io/v1', 'ClusterRole', 'escalate')).toBeUndefined();
    // ClusterRoles go first: the stage failed, so nothing after it was applied; the applied state stays.
    expect(live('extra')).toBeUndefined();
    expect(live('app')).toBeDefined();
    expect(report.revision).not.toBe(good.revision);
  });

  it('cannot write another namespace, and the refusal names the object, the verb and the namespace', async () => {
    await publish(TEAM_A, [configMap('app'), configMap('steal', 'team-b')], {
      serviceAccountName: 'deployer',
    });
    const report = await reconcile();
    expect(report).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
    expect(report.message).toContain(
      `ConfigMap/team-b/steal: apply failed (HTTP 403): configmaps "steal" is forbidden: User "${DEPLOYER}" cannot patch resource "configmaps" in API group "" in the namespace "team-b"`,
    );
    expect(live('steal', 'team-b')).toBeUndefined();
    // Objects of the same stage that it may write are applied, as any apply error leaves its siblings be.
    expect(live('app')).toBeDefined();
  });

  it('does not prune what it may not delete: PruneFailed names the object and the verb, and the object stays listed', async () => {
    // Applied first with the puller's rights, then locked down to the tenant, which drops the object.
    await publish(TEAM_A, [configMap('app'), configMap('legacy', 'team-b')]);
    expect((await reconcile()).ready).toBe(true);
    expect(live('legacy', 'team-b')).toBeDefined();
    await publish(TEAM_A, [configMap('app')], { serviceAccountName: 'deployer' });
    const report = await reconcile();
    expect(report).toMatchObject({ ready: false, reason: 'PruneFailed', pruned: 0 });
    expect(report.message).toMatch(/^ConfigMap\/team-b\/legacy: read failed \(HTTP 403\): /);
    expect(report.message).toContain(`User "${DEPLOYER}" cannot get resource "configmaps"`);
    expect(live('legacy', 'team-b')).toBeDefined();
    // Still in the inventory: once the tenant is granted team-b, the next attempt prunes it.
    await t.grantNamespaceAdmin('team-b', 'deployer', 'team-a');
    await publish(TEAM_A, [configMap('app')], { serviceAccountName: 'deployer' });
    expect(await reconcile()).toMatchObject({ ready: true, pruned: 1 });
    expect(live('legacy', 'team-b')).toBeUndefined();
  });

  it('names delete when the tenant may read the stale object but not delete it', async () => {
    await publish(TEAM_A, [configMap('app'), configMap('legacy', 'team-b')]);
    await reconcile();
    await t.asPlatform(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'read-only', namespace: 'team-b' },
        rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'team-a-reads', namespace: 'team-b' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-only' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }],
      },
    );
    await publish(TEAM_A, [configMap('app')], { serviceAccountName: 'deployer' });
    const report = await reconcile();
    expect(report).toMatchObject({ ready: false, reason: 'PruneFailed', pruned: 0 });
    expect(report.message).toBe(
      `ConfigMap/team-b/legacy: delete failed (HTTP 403): configmaps "legacy" is forbidden: User "${DEPLOYER}" cannot delete resource "configmaps" in API group "" in the namespace "team-b"`,
    );
    expect(live('legacy', 'team-b')).toBeDefined();
  });

  it('prunes on removal as the service account it was applied as', async () => {
    await publish(TEAM_A, [configMap('app')], { serviceAccountName: 'deployer' });
    await reconcile();
    t.kube.requests.length = 0;
    await t.withdraw(TEAM_A);
    expect(await reconcile()).toMatchObject({ ready: true, reason: 'Pruned', pruned: 1 });
    expect(live('app')).toBeUndefined();
    expect(t.kube.requests.find((r) => r.method === 'DELETE')?.user).toBe(DEPLOYER);
  });
});

describe("the puller's default service account (SLUICE_DEFAULT_SERVICE_ACCOUNT)", () => {
  it('applies targets without serviceAccountName as that account of their own namespace', async () => {
    t.deps = { ...t.deps, defaultServiceAccount: 'deployer' };
    const teamB: Target = { kind: 'Kustomization', namespace: 'team-b', name: 'apps' };
    await publish(TEAM_A, [configMap('app')]);
    await publish(teamB, [configMap('b-app', 'team-b', teamB)]);
    const reports = await reconcileCluster(t.deps);
    const of = (t: Target) => reports.find((r) => r.target.namespace === t.namespace);
    expect(of(TEAM_A)).toMatchObject({ ready: true });
    expect(usersOf('/namespaces/team-a/configmaps')).toEqual(new Set([DEPLOYER]));
    // team-b's deployer has no rights at all: locked down, not applied with the puller's.
    expect(of(teamB)).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
    expect(of(teamB)?.message).toContain(
      'User "system:serviceaccount:team-b:deployer" cannot patch resource "configmaps"',
    );
    expect(live('b-app', 'team-b')).toBeUndefined();
  });

  it("gives way to a target's own serviceAccountName", async () => {
    t.deps = { ...t.deps, defaultServiceAccount: 'nobody' };
    await publish(TEAM_A, [configMap('app')], { serviceAccountName: 'deployer' });
    expect(await reconcile()).toMatchObject({ ready: true });
    expect(usersOf('/namespaces/team-a/configmaps')).toEqual(new Set([DEPLOYER]));
  });
});

describe('a HelmRelease with serviceAccountName', () => {
  const RELEASE: Target = { kind: 'HelmRelease', namespace: 'team-a', name: 'small' };
  const helm = (objects: KubeObject[]): HelmReleaseApply => ({
    releaseName: 'small',
    namespace: 'team-a',
    storageNamespace: 'team-a',
    chart: {
      name: 'small',
      version: '0.1.0',
      metadata: { apiVersion: 'v2', name: 'small', version: '0.1.0' },
    },
    values: {},
    manifest: `---\n${objectsToYaml(objects)}`,
    disableHooks: false,
    createNamespace: false,
    crds: 'Create',
    maxHistory: 5,
    keepHistory: false,
    uninstallDisableHooks: false,
    timeoutMs: 20_000,
    description: 'test',
  });
  const releaseConfig = (name: string, namespace = 'team-a'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data: { name },
  });

  it("installs its objects and writes Helm's release record as the service account", async () => {
    const objects = [releaseConfig('small-config')];
    await publish(RELEASE, objects, { serviceAccountName: 'deployer', helm: helm(objects) });
    expect(await reconcile(RELEASE)).toMatchObject({ ready: true });
    expect(live('small-config')).toBeDefined();
    expect(usersOf('/namespaces/team-a/secrets')).toEqual(new Set([DEPLOYER]));
    expect(t.kube.objects({ kind: 'Secret', namespace: 'team-a' }).map((s) => s.metadata.name)).toEqual([
      'sh.helm.release.v1.small.v1',
    ]);
  });

  it('installs nothing outside its RBAC and records no release', async () => {
    const objects = [releaseConfig('small-config'), releaseConfig('elsewhere', 'team-b')];
    await publish(RELEASE, objects, { serviceAccountName: 'deployer', helm: helm(objects) });
    const report = await reconcile(RELEASE);
    expect(report.ready).toBe(false);
    expect(report.message).toContain(`ConfigMap/team-b/elsewhere: apply failed (HTTP 403)`);
    expect(live('elsewhere', 'team-b')).toBeUndefined();
  });
});
