// Discovery documents (/api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>, /version) built from
// the resource registry, in the unaggregated JSON form clients fall back to.

import type { ResourceRegistry } from './registry.ts';
import { READ_WRITE_VERBS, type ResourceType, SUBRESOURCE_VERBS } from './resources.ts';

export const SERVER_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-sluice-test',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDocument(name: string, versions: string[]) {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function apiGroupList(registry: ResourceRegistry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry.groups().map((g) => groupDocument(g.name, g.versions)),
  };
}

/** APIGroup for `/apis/<group>`, or undefined when the group is not served. */
export function apiGroup(registry: ResourceRegistry, name: string) {
  const group = registry.groups().find((g) => g.name === name);
  return group
    ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(group.name, group.versions) }
    : undefined;
}

function resourceEntries(type: ResourceType) {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: READ_WRITE_VERBS,
    ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
    ...(type.categories.length ? { categories: type.categories } : {}),
  };
  if (!type.statusSubresource) return [main];
  const status = {
    name: `${type.plural}/status`,
    singularName: '',
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: SUBRESOURCE_VERBS,
  };
  return [main, status];
}

/** APIResourceList for `/api/v1` or `/apis/<group>/<version>`, or undefined when nothing is served there. */
export function apiResourceList(registry: ResourceRegistry, group: string, version: string) {
  const types = registry.typesIn(group, version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}
