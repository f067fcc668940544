// Resource types the stand-in serves: the ResourceType descriptor (what discovery advertises and what the
// handlers need to know) and the catalog of built-in types present before any CRD is created.

import type { KubeObject } from './types.ts';

export type NameRule = 'subdomain' | 'label' | 'path';

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** `<plural>/status` exists; writes to the main resource leave `.status` alone. */
  statusSubresource: boolean;
  /** metadata.generation is maintained (bumped when anything outside metadata/status changes). */
  tracksGeneration: boolean;
  nameRule: NameRule;
  /** Name of the CustomResourceDefinition that registered this type, for custom resources. */
  crd?: string;
}

export const READ_WRITE_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
export const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

/** An object as served through `type`'s version (storage is shared by all versions of a group+plural). */
export function servedAs(type: ResourceType, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: apiVersionOf(type) };
}

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

interface BuiltinSpec {
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  generation?: boolean;
  nameRule?: NameRule;
}

function builtin(group: string, version: string, spec: BuiltinSpec): ResourceType {
  return {
    group,
    version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    statusSubresource: spec.status ?? false,
    tracksGeneration: spec.generation ?? false,
    nameRule: spec.nameRule ?? 'subdomain',
  };
}

export function builtinResourceTypes(): ResourceType[] {
  return [
    builtin('', 'v1', {
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      status: true,
      nameRule: 'label',
    }),
    builtin('', 'v1', { kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
    builtin('', 'v1', { kind: 'Secret', plural: 'secrets', namespaced: true }),
    builtin('', 'v1', {
      kind: 'Service',
      plural: 'services',
      namespaced: true,
      shortNames: ['svc'],
      categories: ['all'],
      status: true,
      nameRule: 'label',
    }),
    builtin('', 'v1', {
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      namespaced: true,
      shortNames: ['sa'],
    }),
    builtin('apps', 'v1', {
      kind: 'Deployment',
      plural: 'deployments',
      namespaced: true,
      shortNames: ['deploy'],
      categories: ['all'],
      status: true,
      generation: true,
    }),
    builtin('apps', 'v1', {
      kind: 'StatefulSet',
      plural: 'statefulsets',
      namespaced: true,
      shortNames: ['sts'],
      categories: ['all'],
      status: true,
      generation: true,
    }),
    builtin('rbac.authorization.k8s.io', 'v1', {
      kind: 'ClusterRole',
      plural: 'clusterroles',
      namespaced: false,
      nameRule: 'path',
    }),
    builtin('rbac.authorization.k8s.io', 'v1', {
      kind: 'ClusterRoleBinding',
      plural: 'clusterrolebindings',
      namespaced: false,
      nameRule: 'path',
    }),
    builtin('rbac.authorization.k8s.io', 'v1', {
      kind: 'Role',
      plural: 'roles',
      namespaced: true,
      nameRule: 'path',
    }),
    builtin('rbac.authorization.k8s.io', 'v1', {
      kind: 'RoleBinding',
      plural: 'rolebindings',
      namespaced: true,
      nameRule: 'path',
    }),
    builtin('apiextensions.k8s.io', 'v1', {
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      status: true,
      generation: true,
    }),
    builtin('networking.k8s.io', 'v1', {
      kind: 'Ingress',
      plural: 'ingresses',
      namespaced: true,
      shortNames: ['ing'],
      status: true,
      generation: true,
    }),
    builtin('batch', 'v1', {
      kind: 'Job',
      plural: 'jobs',
      namespaced: true,
      categories: ['all'],
      status: true,
      generation: true,
    }),
    builtin('batch', 'v1', {
      kind: 'CronJob',
      plural: 'cronjobs',
      namespaced: true,
      shortNames: ['cj'],
      categories: ['all'],
      status: true,
      generation: true,
    }),
    builtin('policy', 'v1', {
      kind: 'PodDisruptionBudget',
      plural: 'poddisruptionbudgets',
      namespaced: true,
      shortNames: ['pdb'],
      status: true,
      generation: true,
    }),
  ];
}
