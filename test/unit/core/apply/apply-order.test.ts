// Flux's apply order (FLUX-RENDER §5.3): CRDs, Namespaces and ClusterRoles form the first stage, `*Class`
// kinds the second, everything else the last; inside a stage objects sort by kind rank, then group, kind,
// namespace and name, with admission webhook configurations after every other kind.
import { describe, expect, it } from 'vitest';
import {
  applyStages,
  compareForApply,
  groupOf,
  sortForApply,
  stageOf,
} from '../../../../shared/core/apply/apply-order.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

function obj(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace && { namespace }) } };
}

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped), what the order assertions read. */
const label = (o: KubeObject): string => {
  const m = o.metadata as { name: string; namespace?: string };
  return `${String(o.kind)}/${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
};

/** Deterministic permutations of a list, so order never depends on the input order. */
function shuffles<T>(items: readonly T[]): T[][] {
  const out: T[][] = [[...items], [...items].reverse()];
  for (let seed = 1; seed <= 5; seed++) {
    const copy = [...items];
    let s = seed * 7919;
    for (let i = copy.length - 1; i > 0; i--) {
      s = (s * 48271) % 2147483647;
      const j = s % (i + 1);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    out.push(copy);
  }
  return out;
}

describe('groupOf', () => {
  it.each([
    ['v1', ''],
    ['apps/v1', 'apps'],
    ['apiextensions.k8s.io/v1', 'apiextensions.k8s.io'],
    ['kustomize.toolkit.fluxcd.io/v1', 'kustomize.toolkit.fluxcd.io'],
  ])('reads the group of apiVersion %s as %j', (apiVersion, group) => {
    expect(groupOf({ apiVersion, kind: 'X' })).toBe(group);
  });
});

describe('stageOf', () => {
  it.each([
    ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'definitions'],
    ['v1', 'Namespace', 'definitions'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'definitions'],
    ['storage.k8s.io/v1', 'StorageClass', 'classes'],
    ['networking.k8s.io/v1', 'IngressClass', 'classes'],
    ['gateway.networking.k8s.io/v1', 'GatewayClass', 'classes'],
    ['node.k8s.io/v1', 'RuntimeClass', 'classes'],
    ['scheduling.k8s.io/v1', 'PriorityClass', 'classes'],
    ['cluster.x-k8s.io/v1beta1', 'ClusterClass', 'classes'],
    ['snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass', 'classes'],
    ['example.com/v1', 'WidgetClass', 'classes'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'resources'],
    ['rbac.authorization.k8s.io/v1', 'Role', 'resources'],
    ['v1', 'ConfigMap', 'resources'],
    ['apps/v1', 'Deployment', 'resources'],
    ['example.com/v1', 'Classifier', 'resources'],
    ['admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'resources'],
    ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'resources'],
  ])('puts %s %s in the %s stage', (apiVersion, kind, stage) => {
    expect(stageOf(obj(apiVersion, kind, 'x'))).toBe(stage);
  });
});

describe('sortForApply', () => {
  const everyRankedKind: KubeObject[] = [
    obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    obj('v1', 'Namespace', 'apps'),
    obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'),
    obj('cluster.x-k8s.io/v1beta1', 'ClusterClass', 'quick', 'apps'),
    obj('node.k8s.io/v1', 'RuntimeClass', 'gvisor'),
    obj('scheduling.k8s.io/v1', 'PriorityClass', 'high'),
    obj('storage.k8s.io/v1', 'StorageClass', 'fast'),
    obj('snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass', 'snap'),
    obj('networking.k8s.io/v1', 'IngressClass', 'nginx'),
    obj('gateway.networking.k8s.io/v1', 'GatewayClass', 'envoy'),
    obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'reader'),
    obj('v1', 'ResourceQuota', 'quota', 'apps'),
    obj('v1', 'ServiceAccount', 'app', 'apps'),
    obj('rbac.authorization.k8s.io/v1', 'Role', 'app', 'apps'),
    obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'app', 'apps'),
    obj('v1', 'ConfigMap', 'app', 'apps'),
    obj('v1', 'Secret', 'app', 'apps'),
    obj('v1', 'Service', 'app', 'apps'),
    obj('v1', 'LimitRange', 'limits', 'apps'),
    obj('apps/v1', 'Deployment', 'app', 'apps'),
    obj('apps/v1', 'StatefulSet', 'db', 'apps'),
    obj('batch/v1', 'CronJob', 'backup', 'apps'),
    obj('policy/v1', 'PodDisruptionBudget', 'app', 'apps'),
    obj('example.com/v1', 'Widget', 'w', 'apps'),
    obj('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'mutate'),
    obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'validate'),
  ];

  it('orders every ranked kind as Flux does, unknown kinds after them and webhook configurations last', () => {
    for (const input of shuffles(everyRankedKind)) {
      expect(sortForApply(input).map(label)).toEqual(everyRankedKind.map(label));
    }
  });

  it('applies CRDs, Namespaces and ClusterRoles before the objects that need them, whatever the input order', () => {
    const input = [
      obj('example.com/v1', 'Widget', 'w', 'apps'),
      obj('v1', 'ConfigMap', 'settings', 'apps'),
      obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'),
      obj('v1', 'Namespace', 'apps'),
      obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    ];
    expect(sortForApply(input).map(label)).toEqual([
      'CustomResourceDefinition/widgets.example.com',
      'Namespace/apps',
      'ClusterRole/reader',
      'ConfigMap/apps/settings',
      'Widget/apps/w',
    ]);
  });

  it('puts an unranked *Class kind before ranked kinds of the last stage', () => {
    const input = [
      obj('v1', 'ServiceAccount', 'sa', 'apps'),
      obj('example.com/v1', 'WidgetClass', 'standard'),
    ];
    expect(sortForApply(input).map(label)).toEqual(['WidgetClass/standard', 'ServiceAccount/apps/sa']);
  });

  it('keeps webhook configurations after unknown kinds, Mutating before Validating', () => {
    const input = [
      obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'a'),
      obj('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'z'),
      obj('zzz.example.com/v1', 'Zebra', 'z', 'apps'),
      obj('aaa.example.com/v1', 'Aardvark', 'a', 'apps'),
    ];
    expect(sortForApply(input).map(label)).toEqual([
      'Aardvark/apps/a',
      'Zebra/apps/z',
      'MutatingWebhookConfiguration/z',
      'ValidatingWebhookConfiguration/a',
    ]);
  });

  it.each([
    {
      tie: 'group first for unknown kinds of equal rank',
      input: [obj('b.example.com/v1', 'Alpha', 'x', 'ns'), obj('a.example.com/v1', 'Zulu', 'x', 'ns')],
      want: ['Zulu/ns/x', 'Alpha/ns/x'],
    },
    {
      tie: 'then kind within one group',
      input: [obj('example.com/v1', 'Zulu', 'a', 'ns'), obj('example.com/v1', 'Alpha', 'z', 'ns')],
      want: ['Alpha/ns/z', 'Zulu/ns/a'],
    },
    {
      tie: 'then namespace',
      input: [obj('v1', 'ConfigMap', 'a', 'zeta'), obj('v1', 'ConfigMap', 'z', 'alpha')],
      want: ['ConfigMap/alpha/z', 'ConfigMap/zeta/a'],
    },
    {
      tie: 'then name',
      input: [obj('v1', 'ConfigMap', 'web', 'apps'), obj('v1', 'ConfigMap', 'api', 'apps')],
      want: ['ConfigMap/apps/api', 'ConfigMap/apps/web'],
    },
    {
      tie: 'with cluster-scoped objects (empty namespace) before namespaced ones of the same kind',
      input: [obj('example.com/v1', 'Thing', 'a', 'apps'), obj('example.com/v1', 'Thing', 'z')],
      want: ['Thing/z', 'Thing/apps/a'],
    },
  ])('breaks ties by $tie', ({ input, want }) => {
    expect(sortForApply(input).map(label)).toEqual(want);
    expect(sortForApply([...input].reverse()).map(label)).toEqual(want);
  });

  it('ranks by kind before group, so a core Service precedes an apps Deployment', () => {
    const input = [obj('apps/v1', 'Deployment', 'a', 'apps'), obj('v1', 'Service', 'z', 'apps')];
    expect(sortForApply(input).map(label)).toEqual(['Service/apps/z', 'Deployment/apps/a']);
  });

  it('returns a new array and leaves the input as it was', () => {
    const input = [obj('v1', 'ConfigMap', 'b', 'apps'), obj('v1', 'Namespace', 'apps')];
    const before = input.map(label);
    const sorted = sortForApply(input);
    expect(sorted).not.toBe(input);
    expect(input.map(label)).toEqual(before);
  });

  it('compareForApply is antisymmetric and zero only for the same identity', () => {
    for (const a of everyRankedKind) {
      for (const b of everyRankedKind) {
        const ab = Math.sign(compareForApply(a, b));
        const ba = Math.sign(compareForApply(b, a));
        expect(ab).toBe(0 - ba || 0);
        expect(ab === 0).toBe(a === b);
      }
    }
  });
});

describe('applyStages', () => {
  it('splits objects into the three stages, each in apply order, leaving out empty stages', () => {
    const stages = applyStages([
      obj('apps/v1', 'Deployment', 'web', 'apps'),
      obj('storage.k8s.io/v1', 'StorageClass', 'fast'),
      obj('v1', 'Namespace', 'apps'),
      obj('v1', 'ConfigMap', 'settings', 'apps'),
      obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
      obj('networking.k8s.io/v1', 'IngressClass', 'nginx'),
    ]);
    expect(stages.map((s) => ({ stage: s.stage, objects: s.objects.map(label) }))).toEqual([
      { stage: 'definitions', objects: ['CustomResourceDefinition/widgets.example.com', 'Namespace/apps'] },
      { stage: 'classes', objects: ['StorageClass/fast', 'IngressClass/nginx'] },
      { stage: 'resources', objects: ['ConfigMap/apps/settings', 'Deployment/apps/web'] },
    ]);
  });

  it('has only the stages that have objects', () => {
    expect(applyStages([obj('v1', 'ConfigMap', 'a', 'apps')]).map((s) => s.stage)).toEqual(['resources']);
    expect(
      applyStages([obj('v1', 'Namespace', 'apps'), obj('v1', 'Secret', 's', 'apps')]).map((s) => s.stage),
    ).toEqual(['definitions', 'resources']);
    expect(applyStages([])).toEqual([]);
  });
});
