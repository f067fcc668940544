// Helm's InstallOrder (releaseutil kind_sorter.go): the order `helm template` prints a release's objects
// in. A stable sort by kind; unknown kinds last, alphabetically among themselves.
import type { KubeObject } from '../render/yaml-codec.ts';

const INSTALL_ORDER = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];
const RANK = new Map(INSTALL_ORDER.map((kind, i) => [kind, i]));

function compareKinds(a: string, b: string): number {
  const ra = RANK.get(a);
  const rb = RANK.get(b);
  if (ra === undefined && rb === undefined) return a < b ? -1 : a > b ? 1 : 0;
  if (ra === undefined) return 1;
  if (rb === undefined) return -1;
  return ra - rb;
}

/** A copy of `items` in Helm's install order (Array.prototype.sort is stable). */
export function sortByInstallOrder<T>(items: readonly T[], objectOf: (item: T) => KubeObject): T[] {
  return [...items].sort((a, b) =>
    compareKinds(String(objectOf(a).kind ?? ''), String(objectOf(b).kind ?? '')),
  );
}
