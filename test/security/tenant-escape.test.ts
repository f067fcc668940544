// A tenant applied as its service account cannot get out of its RBAC through the puller: not by granting
// itself more, not by naming another namespace's (or a made-up) account, not by writing the puller's
// inventories or another tenant's objects, not by having them pruned; a denial leaks no Secret value.
// The real puller against the test API server with RBAC on.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Target } from '../../shared/core/pipeline/target.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { inventoryName } from '../../shared/usecases/puller/inventory-store.ts';
import { type PullerWorld, startPullerWorld } from '../support/puller-world.ts';
import {
  ownedConfigMap,
  PULLER_USER,
  startTenantPuller,
  type TenantPuller,
} from '../support/tenant-puller.ts';

const queues = defaultQueueNames('tenant-escape');
const TEAM_A: Target = { kind: 'Kustomization', namespace: 'team-a', name: 'apps' };
const TEAM_B: Target = { kind: 'Kustomization', namespace: 'team-b', name: 'apps' };
const AS_DEPLOYER = { serviceAccountName: 'deployer' };

let world: PullerWorld;
let t: TenantPuller;

beforeAll(async () => {
  world = await startPullerWorld({
    name: 'escape',
    bucket: 'sluice-tenant-escape',
    queues,
    clusters: ['reports'],
  });
});
afterAll(() => world?.close());

beforeEach(async () => {
  t = await startTenantPuller(world, { queues, namespaces: ['team-a', 'team-b', 'flux-system'] });
  await t.grantNamespaceAdmin('team-a', 'deployer');
  await t.grantNamespaceAdmin('team-b', 'deployer');
  // A powerful account elsewhere: flux-system's controller is cluster-admin.
  await t.asPlatform({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'flux-controller-admin' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tenant-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'kustomize-controller', namespace: 'flux-system' }],
  });
  t.kube.requests.length = 0;
});
afterEach(() => t.close());

const rbacObjects = () => t.kube.objects({ apiVersion: 'rbac.authorization.k8s.io/v1' }).map((o) => o.kind);

describe('a tenant applied as its service account', () => {
  it('cannot grant itself cluster-admin: the ClusterRoleBinding is refused and never created', async () => {
    const before = rbacObjects();
    const binding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'team-a-is-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tenant-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }],
    };
    const report = await t.publish(TEAM_A, [binding], AS_DEPLOYER).then(() => t.reconcile(TEAM_A));
    expect(report).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
    expect(report.message).toContain(
      'ClusterRoleBinding/team-a-is-admin: apply failed (HTTP 403): clusterrolebindings.rbac.authorization.k8s.io "team-a-is-admin" is forbidden: User "system:serviceaccount:team-a:deployer" cannot patch resource "clusterrolebindings"',
    );
    expect(rbacObjects()).toEqual(before);
  });

  it("cannot borrow another namespace's account: the name is looked up in the tenant's own namespace", async () => {
    await t.publish(TEAM_A, [ownedConfigMap(TEAM_A, 'planted', 'team-b')], {
      serviceAccountName: 'kustomize-controller',
    });
    const report = await t.reconcile(TEAM_A);
    expect(report.ready).toBe(false);
    expect(report.message).toContain('User "system:serviceaccount:team-a:kustomize-controller" cannot patch');
    expect(t.kube.object('v1', 'ConfigMap', 'planted', 'team-b')).toBeUndefined();
    expect(t.usersOf('/configmaps/planted')).toEqual(
      new Set(['system:serviceaccount:team-a:kustomize-controller']),
    );
  });

  it.each(['flux-system:kustomize-controller', 'deployer:x', 'Deployer'])(
    'is refused, not impersonated, when a signed artifact names %j',
    async (name) => {
      await t.publish(TEAM_A, [ownedConfigMap(TEAM_A, 'app', 'team-a')], { serviceAccountName: name });
      const report = await t.reconcile(TEAM_A);
      expect(report.ready).toBe(false);
      expect(report.message).toContain(
        `serviceAccountName ${JSON.stringify(name)} is no ServiceAccount name`,
      );
      expect(t.kube.object('v1', 'ConfigMap', 'app', 'team-a')).toBeUndefined();
      // Nothing reached the API server as anyone but the puller reading its own inventory.
      expect(new Set(t.kube.requests.map((r) => r.user))).toEqual(new Set([PULLER_USER]));
      expect(t.kube.requests.every((r) => r.path.includes('/namespaces/sluice-system/'))).toBe(true);
    },
  );

  it("cannot overwrite the puller's inventory of another target", async () => {
    await t.publish(TEAM_B, [ownedConfigMap(TEAM_B, 'b-app', 'team-b')], AS_DEPLOYER);
    expect((await t.reconcile(TEAM_B)).ready).toBe(true);
    const name = inventoryName(TEAM_B);
    const inventory = () => t.kube.object('v1', 'ConfigMap', name, 'sluice-system');
    const before = inventory();
    const forged: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'sluice-system' },
      data: { inventory: '{"entries":[]}' },
    };
    await t.publish(TEAM_A, [forged], AS_DEPLOYER);
    const report = await t.reconcile(TEAM_A);
    expect(report.message).toContain(`ConfigMap/sluice-system/${name}: apply failed (HTTP 403)`);
    expect(inventory()?.data).toEqual(before?.data);
  });

  it("never has another tenant's object pruned: what it was refused is not in its inventory", async () => {
    await t.asPlatform(ownedConfigMap(TEAM_A, 'victim', 'flux-system'));
    await t.publish(
      TEAM_A,
      [ownedConfigMap(TEAM_A, 'app', 'team-a'), ownedConfigMap(TEAM_A, 'victim', 'flux-system')],
      AS_DEPLOYER,
    );
    expect((await t.reconcile(TEAM_A)).ready).toBe(false);
    await t.publish(TEAM_A, [ownedConfigMap(TEAM_A, 'app', 'team-a')], AS_DEPLOYER);
    expect(await t.reconcile(TEAM_A)).toMatchObject({ ready: true, pruned: 0 });
    expect(t.kube.object('v1', 'ConfigMap', 'victim', 'flux-system')).toBeDefined();
    expect(t.kube.requests.some((r) => r.method === 'DELETE')).toBe(false);
  });

  it('is told of a refused Secret by name only, never its values', async () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'flux-system' },
      stringData: { password: 'hunter2-tenant-secret' },
    };
    await t.publish(TEAM_A, [secret], AS_DEPLOYER);
    const report = await t.reconcile(TEAM_A);
    expect(report.message).toContain('Secret/flux-system/creds');
    expect(JSON.stringify(report)).not.toContain('hunter2');
  });
});

describe('the default service account (lockdown)', () => {
  it("gives a target without serviceAccountName none of the puller's rights", async () => {
    t.deps = { ...t.deps, defaultServiceAccount: 'deployer' };
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-c' } };
    await t.publish(TEAM_A, [ns]);
    const report = await t.reconcile(TEAM_A);
    expect(report.message).toContain(
      'namespaces "team-c" is forbidden: User "system:serviceaccount:team-a:deployer" cannot patch resource "namespaces"',
    );
    expect(t.kube.object('v1', 'Namespace', 'team-c')).toBeUndefined();
  });
});
