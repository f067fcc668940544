// Flux's apply order (FLUX-RENDER §5.3, fluxcd/pkg/ssa sort.go): CRDs, Namespaces and ClusterRoles are
// applied and awaited first, then `*Class` kinds, then everything else; within a stage, by kind rank,
// then group, kind, namespace, name.
import type { KubeObject } from '../render/yaml-codec.ts';

const KIND_ORDER = [
  'CustomResourceDefinition',
  'Namespace',
  'ClusterRole',
  'ClusterClass',
  'RuntimeClass',
  'PriorityClass',
  'StorageClass',
  'VolumeSnapshotClass',
  'IngressClass',
  'GatewayClass',
  'ClusterRoleBinding',
  'ResourceQuota',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Secret',
  'Service',
  'LimitRange',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

export type Stage = 'definitions' | 'classes' | 'resources';

export function groupOf(obj: KubeObject): string {
  const apiVersion = String(obj.apiVersion ?? '');
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

export function stageOf(obj: KubeObject): Stage {
  const kind = String(obj.kind ?? '');
  const group = groupOf(obj);
  if (group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition') return 'definitions';
  if (group === '' && kind === 'Namespace') return 'definitions';
  if (group === 'rbac.authorization.k8s.io' && kind === 'ClusterRole') return 'definitions';
  if (kind.endsWith('Class')) return 'classes';
  return 'resources';
}

function rank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  if (i >= 0) return i - KIND_ORDER.length;
  const j = LAST.indexOf(kind);
  return j >= 0 ? j + 1 : 0;
}

function meta(obj: KubeObject): { name: string; namespace: string } {
  const m = (obj.metadata ?? {}) as Record<string, unknown>;
  return { name: String(m.name ?? ''), namespace: String(m.namespace ?? '') };
}

const STAGE_ORDER: Stage[] = ['definitions', 'classes', 'resources'];

export function compareForApply(a: KubeObject, b: KubeObject): number {
  const stage = STAGE_ORDER.indexOf(stageOf(a)) - STAGE_ORDER.indexOf(stageOf(b));
  if (stage !== 0) return stage;
  const ka = String(a.kind ?? '');
  const kb = String(b.kind ?? '');
  const r = rank(ka) - rank(kb);
  if (r !== 0) return r;
  return (
    cmp(groupOf(a), groupOf(b)) ||
    cmp(ka, kb) ||
    cmp(meta(a).namespace, meta(b).namespace) ||
    cmp(meta(a).name, meta(b).name)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortForApply(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort(compareForApply);
}

/** Objects split into Flux's stages, each already in apply order. */
export function applyStages(objects: readonly KubeObject[]): { stage: Stage; objects: KubeObject[] }[] {
  const sorted = sortForApply(objects);
  return STAGE_ORDER.map((stage) => ({ stage, objects: sorted.filter((o) => stageOf(o) === stage) })).filter(
    (s) => s.objects.length > 0,
  );
}
