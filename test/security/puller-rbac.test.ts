// The chart's RBAC, granted for real in the test API server with RBAC authorization on: without
// rbac.clusterWide the puller may do its own work (its namespace, its inventories) and act as a tenant's
// service account, and nothing else — no object in another namespace, no cluster-scoped write, no Secret,
// no impersonating a user. With rbac.clusterWide it may apply anything, which is why that is a choice.
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CHART_DIR, helm } from '../../puller/deploy/render-manifests.ts';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import type { ClusterApi } from '../../shared/ports/cluster-api.ts';
import {
  ensureInventoryNamespace,
  readInventory,
  writeInventory,
} from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';

const PULLER = 'system:serviceaccount:sluice-system:sluice-puller';
const TENANT = 'system:serviceaccount:apps:deployer';
const APPLY = { fieldManager: 'sluice', force: true };
const configMap = (namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'app', namespace },
  data: { a: '1' },
});

let server: KubeApiServer | undefined;
afterEach(() => server?.close());

/** The test API server with the chart's RBAC objects (rendered with `values`) and a tenant's Role in apps. */
async function clusterWithChart(values: string[]): Promise<{ puller: ClusterApi; deps: PullerDeps }> {
  server = await startKubeApiServer({
    namespaces: ['apps', 'sluice-system'],
    authorization: 'RBAC',
    users: {
      'puller-token': {
        name: PULLER,
        groups: ['system:serviceaccounts', 'system:serviceaccounts:sluice-system'],
      },
    },
  });
  const adminConfig = new KubeConfig();
  adminConfig.loadFromString(server.kubeconfig());
  const admin = new ClientNodeCluster(adminConfig);
  const rendered = await helm([
    'template',
    'sluice-puller',
    CHART_DIR,
    '--namespace',
    'sluice-system',
    '--set-string',
    'cluster=edge,region=eu-west-1,bucket=b,signingKeyArn=arn:k,image.repository=r',
    ...values,
  ]);
  const rbac = parseAllDocuments(rendered)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o?.apiVersion === 'rbac.authorization.k8s.io/v1');
  const tenantRbac: KubeObject[] = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'deployer', namespace: 'apps' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'deployer', namespace: 'apps' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
      subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'apps' }],
    },
  ];
  for (const obj of [...rbac, ...tenantRbac])
    await admin.apply(obj, { fieldManager: 'install', force: true });
  const pullerConfig = new KubeConfig();
  pullerConfig.loadFromString(server.kubeconfig({ token: 'puller-token' }));
  const puller = new ClientNodeCluster(pullerConfig);
  // The inventory functions use only these three; the rest of PullerDeps (store, queues) has no part here.
  const deps = {
    kube: puller,
    inventoryNamespace: 'sluice-system',
    fieldManager: 'sluice',
  } as unknown as PullerDeps;
  return { puller, deps };
}

describe('the puller RBAC without rbac.clusterWide', () => {
  const lockedDown = ['--set', 'rbac.clusterWide=false'];

  it('lets the puller apply its namespace and keep its inventories', async () => {
    const { deps } = await clusterWithChart(lockedDown);
    await ensureInventoryNamespace(deps);
    const target = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
    const inventory = {
      target,
      digest: 'sha256:1',
      revision: 'r',
      appliedAt: '2026-01-01T00:00:00Z',
      entries: [],
    };
    await writeInventory(deps, inventory);
    expect(await readInventory(deps, target)).toMatchObject({ digest: 'sha256:1' });
  });

  it('refuses the puller, as itself, any object outside its inventories', async () => {
    const { puller } = await clusterWithChart(lockedDown);
    const clusterRole: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'grab' },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    };
    for (const obj of [configMap('apps'), clusterRole])
      expect((await rejectionOf(puller.apply(obj, APPLY))).code).toBe('AccessDenied');
    const secret = { apiVersion: 'v1', kind: 'Secret', namespace: 'sluice-system', name: 'any' };
    expect((await rejectionOf(puller.get(secret))).code).toBe('AccessDenied');
  });

  it("lets the puller act as a tenant's service account, with exactly that account's rights", async () => {
    const { puller } = await clusterWithChart(lockedDown);
    const tenant = puller.as(TENANT);
    await tenant.apply(configMap('apps'), APPLY);
    expect(server?.object('v1', 'ConfigMap', 'app', 'apps')).toBeDefined();
    expect((await rejectionOf(tenant.apply(configMap('default'), APPLY))).code).toBe('AccessDenied');
  });

  it('refuses the puller impersonating a user rather than a service account', async () => {
    const { puller } = await clusterWithChart(lockedDown);
    expect((await rejectionOf(puller.as('kubernetes-admin').apply(configMap('apps'), APPLY))).code).toBe(
      'AccessDenied',
    );
  });
});

describe('the puller RBAC with rbac.clusterWide (the default)', () => {
  it('lets the puller apply anything as itself', async () => {
    const { puller } = await clusterWithChart([]);
    await puller.apply(configMap('default'), APPLY);
    expect(server?.object('v1', 'ConfigMap', 'app', 'default')).toBeDefined();
  });
});
