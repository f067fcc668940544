// Flux's inventory (FLUX-RENDER §5.4-5.5): ids `<namespace>_<name>_<group>_<kind>` with colons encoded as
// `__`, the version kept apart in `v`, the stale set computed by id only, and ids that parse back to the
// object reference the API needs.
import { describe, expect, it } from 'vitest';
import {
  entryOf,
  type InventoryEntry,
  inventoryOf,
  objectId,
  parseObjectId,
  staleEntries,
} from '../../../../shared/core/apply/inventory.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

function obj(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace && { namespace }) } };
}

describe('objectId', () => {
  it.each([
    ['a core namespaced object', obj('v1', 'Service', 'podinfo', 'default'), 'default_podinfo__Service'],
    [
      'a grouped namespaced object',
      obj('apps/v1', 'Deployment', 'podinfo', 'default'),
      'default_podinfo_apps_Deployment',
    ],
    ['a cluster-scoped core object', obj('v1', 'Namespace', 'ns-name'), '_ns-name__Namespace'],
    [
      'a cluster-scoped grouped object',
      obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
      '_widgets.example.com_apiextensions.k8s.io_CustomResourceDefinition',
    ],
    [
      'a name with a colon',
      obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'system:foo'),
      '_system__foo_rbac.authorization.k8s.io_ClusterRole',
    ],
    [
      'a name with several colons',
      obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'system:controller:token-cleaner', 'kube-system'),
      'kube-system_system__controller__token-cleaner_rbac.authorization.k8s.io_RoleBinding',
    ],
    [
      'a Flux object',
      obj('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'apps', 'flux-system'),
      'flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization',
    ],
  ])('names %s as cli-utils does', (_what, o, id) => {
    expect(objectId(o)).toBe(id);
  });

  it('does not depend on the version', () => {
    expect(objectId(obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'web', 'apps'))).toBe(
      objectId(obj('autoscaling/v1', 'HorizontalPodAutoscaler', 'web', 'apps')),
    );
  });
});

describe('entryOf', () => {
  it.each([
    ['v1', 'v1'],
    ['apps/v1', 'v1'],
    ['helm.toolkit.fluxcd.io/v2', 'v2'],
    ['autoscaling/v2beta2', 'v2beta2'],
  ])('keeps only the version of %s in v (%s)', (apiVersion, v) => {
    expect(entryOf(obj(apiVersion, 'Thing', 'x', 'ns')).v).toBe(v);
  });

  it('pairs the id with the version', () => {
    expect(entryOf(obj('apps/v1', 'Deployment', 'podinfo', 'default'))).toEqual({
      id: 'default_podinfo_apps_Deployment',
      v: 'v1',
    });
  });
});

describe('inventoryOf', () => {
  it('lists one entry per object, sorted by id', () => {
    const entries = inventoryOf([
      obj('apps/v1', 'Deployment', 'web', 'apps'),
      obj('v1', 'Namespace', 'apps'),
      obj('v1', 'ConfigMap', 'settings', 'apps'),
    ]);
    expect(entries).toEqual([
      { id: '_apps__Namespace', v: 'v1' },
      { id: 'apps_settings__ConfigMap', v: 'v1' },
      { id: 'apps_web_apps_Deployment', v: 'v1' },
    ]);
  });

  it('is empty for no objects', () => {
    expect(inventoryOf([])).toEqual([]);
  });
});

describe('staleEntries', () => {
  const e = (id: string, v = 'v1'): InventoryEntry => ({ id, v });

  it.each<{ name: string; previous: InventoryEntry[]; next: InventoryEntry[]; stale: InventoryEntry[] }>([
    {
      name: 'nothing when nothing changed',
      previous: [e('a_x__ConfigMap')],
      next: [e('a_x__ConfigMap')],
      stale: [],
    },
    {
      name: 'what the previous inventory had and the new one does not',
      previous: [e('a_x__ConfigMap'), e('a_y__ConfigMap'), e('_a__Namespace')],
      next: [e('a_x__ConfigMap')],
      stale: [e('a_y__ConfigMap'), e('_a__Namespace')],
    },
    {
      name: 'nothing for objects that are new',
      previous: [e('a_x__ConfigMap')],
      next: [e('a_x__ConfigMap'), e('a_z__ConfigMap')],
      stale: [],
    },
    {
      name: 'nothing when only the version changed',
      previous: [e('a_web_autoscaling_HorizontalPodAutoscaler', 'v1')],
      next: [e('a_web_autoscaling_HorizontalPodAutoscaler', 'v2')],
      stale: [],
    },
    {
      name: 'the old object when it was renamed',
      previous: [e('a_old__ConfigMap')],
      next: [e('a_new__ConfigMap')],
      stale: [e('a_old__ConfigMap')],
    },
    {
      name: 'the old object when it moved namespace',
      previous: [e('one_x__ConfigMap')],
      next: [e('two_x__ConfigMap')],
      stale: [e('one_x__ConfigMap')],
    },
    {
      name: 'everything when the new inventory is empty',
      previous: [e('a_x__ConfigMap')],
      next: [],
      stale: [e('a_x__ConfigMap')],
    },
    {
      name: 'nothing when there was no previous inventory',
      previous: [],
      next: [e('a_x__ConfigMap')],
      stale: [],
    },
  ])('returns $name', ({ previous, next, stale }) => {
    expect(staleEntries(previous, next)).toEqual(stale);
  });

  it('keeps the version recorded in the previous inventory, which is what the object was applied with', () => {
    expect(staleEntries([e('a_web_autoscaling_HorizontalPodAutoscaler', 'v2beta2')], [])).toEqual([
      e('a_web_autoscaling_HorizontalPodAutoscaler', 'v2beta2'),
    ]);
  });
});

describe('parseObjectId', () => {
  it.each([
    ['a core namespaced object', obj('v1', 'ConfigMap', 'settings', 'apps')],
    ['a grouped namespaced object', obj('apps/v1', 'Deployment', 'web', 'apps')],
    ['a cluster-scoped core object', obj('v1', 'Namespace', 'apps')],
    [
      'a CRD (dots in the name)',
      obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    ],
    ['a name with a colon', obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'system:foo')],
    [
      'a name with colons and dots',
      obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'system:controller:attachdetach.k8s.io'),
    ],
    [
      'a namespaced name with a colon',
      obj('rbac.authorization.k8s.io/v1', 'Role', 'system:leader-locking', 'kube-system'),
    ],
    ['a name ending in a colon', obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'tenant:')],
    ['a name with two colons in a row', obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'a::b')],
    ['a name with dots in a namespace', obj('v1', 'Service', 'web.v2', 'apps')],
    ['a custom resource with a versioned group', obj('widgets.example.com/v1beta1', 'Widget', 'w-1', 'apps')],
  ])('round-trips %s', (_what, o) => {
    const m = o.metadata as { name: string; namespace?: string };
    const apiVersion = String(o.apiVersion);
    expect(parseObjectId(entryOf(o))).toEqual({
      namespace: m.namespace ?? '',
      name: m.name,
      group: apiVersion.includes('/') ? apiVersion.split('/')[0] : '',
      kind: o.kind,
      apiVersion,
    });
  });

  it('rebuilds apiVersion from the group and the entry version', () => {
    expect(parseObjectId({ id: 'default_podinfo_apps_Deployment', v: 'v1' }).apiVersion).toBe('apps/v1');
    expect(parseObjectId({ id: 'default_podinfo__Service', v: 'v1' }).apiVersion).toBe('v1');
  });

  it('reads ids Flux wrote', () => {
    expect(parseObjectId({ id: '_system__foo_rbac.authorization.k8s.io_ClusterRole', v: 'v1' })).toEqual({
      namespace: '',
      name: 'system:foo',
      group: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
    });
  });
});
