// A puller of multi-tenancy tests: the real puller's deps against the test API server with RBAC on (the
// puller authenticates as the admin by its token), tenants' RBAC granted as a platform team would, and
// signed artifacts and tombstones published for it as the control plane does.
import { KubeConfig } from '@kubernetes/client-node';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import type { ApplyOptions } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import { type Target, targetKey } from '../../shared/core/pipeline/target.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import type { QueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { type KubeApiServer, startKubeApiServer } from './kube-api-server.ts';
import {
  type PullerWorld,
  pullerDeps,
  revisionOf,
  storeAndIndex,
  testArtifact,
  testTombstone,
} from './puller-world.ts';

/** Who the puller is in the test API server (the admin, by its bearer token). */
export const PULLER_USER = 'kubernetes-admin';
const PULLER_TOKEN = 'puller-token';
const RBAC_API = 'rbac.authorization.k8s.io/v1';

export interface TenantPuller {
  kube: KubeApiServer;
  /** Replace to change settings (e.g. `defaultServiceAccount`) between reconciles. */
  deps: PullerDeps;
  publish(target: Target, objects: KubeObject[], apply?: Partial<ApplyOptions>): Promise<void>;
  withdraw(target: Target): Promise<void>;
  /** One full pass; the report of `target`. */
  reconcile(target: Target): Promise<ApplyReport>;
  /** A ClusterRole `tenant-admin` (everything) bound in `namespace` to `<accountNamespace>:<account>`. */
  grantNamespaceAdmin(namespace: string, account: string, accountNamespace?: string): Promise<void>;
  /** Apply objects as the platform team (the admin). */
  asPlatform(...objects: KubeObject[]): Promise<void>;
  /** Users who sent requests whose path contains `pathPart`. */
  usersOf(pathPart: string): Set<string>;
  close(): Promise<void>;
}

let clusterSeq = 0;

export async function startTenantPuller(
  world: PullerWorld,
  opts: { queues: QueueNames; namespaces: string[] },
): Promise<TenantPuller> {
  const kube = await startKubeApiServer({
    token: PULLER_TOKEN,
    authorization: 'RBAC',
    namespaces: opts.namespaces,
  });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig());
  const clock = { t: Date.parse('2025-06-01T12:00:00Z') };
  let generation = 0;
  const t: TenantPuller = {
    kube,
    deps: pullerDeps(world, {
      cluster: `tenants-${++clusterSeq}-${process.pid}`,
      kube: new ClientNodeCluster(kc),
      clock,
      queues: { cluster: opts.queues.cluster('unused'), reports: opts.queues.reports('reports') },
    }),
    async publish(target, objects, apply = {}) {
      generation++;
      const payload = testArtifact(t.deps.cluster, target, generation, objects, apply);
      await storeAndIndex(t.deps, target, await signArtifact(payload, world.keys), {
        revision: revisionOf(generation),
        publishedAt: clock.t,
      });
    },
    async withdraw(target) {
      generation++;
      const payload = testTombstone(t.deps.cluster, target, generation);
      await storeAndIndex(t.deps, target, await signArtifact(payload, world.keys), {
        revision: payload.revision,
        publishedAt: clock.t,
      });
    },
    async reconcile(target) {
      const report = (await reconcileCluster(t.deps)).find((r) => targetKey(r.target) === targetKey(target));
      if (!report) throw new Error(`no report for ${targetKey(target)}`);
      return report;
    },
    async grantNamespaceAdmin(namespace, account, accountNamespace = namespace) {
      await t.asPlatform(
        {
          apiVersion: RBAC_API,
          kind: 'ClusterRole',
          metadata: { name: 'tenant-admin' },
          rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        },
        {
          apiVersion: RBAC_API,
          kind: 'RoleBinding',
          metadata: { name: `${accountNamespace}-${account}-admin`, namespace },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tenant-admin' },
          subjects: [{ kind: 'ServiceAccount', name: account, namespace: accountNamespace }],
        },
      );
    },
    async asPlatform(...objects) {
      for (const obj of objects) await t.deps.kube.apply(obj, { fieldManager: 'platform', force: true });
    },
    usersOf(pathPart) {
      return new Set(kube.requests.filter((r) => r.path.includes(pathPart)).map((r) => r.user));
    },
    close: () => kube.close(),
  };
  await ensureInventoryNamespace(t.deps);
  return t;
}

/** A ConfigMap carrying `owner`'s labels, as the control plane's render sets them. */
export function ownedConfigMap(owner: Target, name: string, namespace: string): KubeObject {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data: { name },
  };
  setOwnerLabels(obj, owner);
  return obj;
}
