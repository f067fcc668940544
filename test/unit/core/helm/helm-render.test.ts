// The pure rules of a HelmRelease render: how helm's output splits into CRDs and templates, which objects
// are hooks, the ownership metadata and namespace helm install gives objects, the command line, the key.
import { describe, expect, it } from 'vitest';
import { clusterScopedCrdKinds } from '../../../../shared/core/helm/cluster-scoped-kinds.ts';
import { hookKind } from '../../../../shared/core/helm/helm-hooks.ts';
import { isCrdsDirSource, splitHelmOutput } from '../../../../shared/core/helm/helm-output.ts';
import {
  flattenLists,
  inReleaseNamespace,
  withOwnership,
} from '../../../../shared/core/helm/helm-ownership.ts';
import { type HelmTemplateFlags, helmTemplateArgs } from '../../../../shared/core/helm/helm-template-args.ts';
import { sortByInstallOrder } from '../../../../shared/core/helm/install-order.ts';
import { type HelmRenderKeyInput, helmRenderKey } from '../../../../shared/core/render/helm-render-key.ts';

describe('isCrdsDirSource', () => {
  it.each([
    ['app/crds/a.yaml', true],
    ['app/charts/sub/crds/a.yaml', true],
    ['app/charts/sub/charts/deep/crds/x/a.yaml', true],
    ['app/templates/crds/a.yaml', false],
    ['app/charts/crds/templates/a.yaml', false],
    ['app/charts/sub/templates/crds.yaml', false],
    ['crds/a.yaml', false],
  ])('%s → %s', (source, expected) => expect(isCrdsDirSource(source)).toBe(expected));
});

describe('splitHelmOutput', () => {
  it('gives a crds/ file’s later documents its source, and names each template document', () => {
    const out = [
      '---',
      '# Source: app/crds/two.yaml',
      'kind: CustomResourceDefinition',
      'metadata: {name: a}',
      '---',
      'kind: CustomResourceDefinition',
      'metadata: {name: b}',
      '',
      '---',
      '# Source: app/templates/cm.yaml',
      'kind: ConfigMap',
      '---',
      '# Source: app/templates/cm.yaml',
      '# comments only',
      '',
    ].join('\n');
    expect(splitHelmOutput(out).map((d) => [d.source, d.fromCrdsDir, d.text])).toEqual([
      ['app/crds/two.yaml', true, 'kind: CustomResourceDefinition\nmetadata: {name: a}\n'],
      ['app/crds/two.yaml', true, 'kind: CustomResourceDefinition\nmetadata: {name: b}\n'],
      ['app/templates/cm.yaml', false, 'kind: ConfigMap\n'],
      ['app/templates/cm.yaml', false, '# comments only\n'],
    ]);
  });

  it('takes only the first Source line: a template cannot claim to come from crds/', () => {
    const out = '---\n# Source: app/templates/x.yaml\n# Source: app/crds/fake.yaml\nkind: Secret\n';
    expect(splitHelmOutput(out)).toMatchObject([{ source: 'app/templates/x.yaml', fromCrdsDir: false }]);
  });
});

const withHook = (hook: string) => ({ kind: 'Job', metadata: { annotations: { 'helm.sh/hook': hook } } });

describe('hookKind', () => {
  it.each([
    [{ kind: 'ConfigMap' }, 'none'],
    [{ kind: 'ConfigMap', metadata: { annotations: { other: 'x' } } }, 'none'],
    [withHook('pre-install'), 'hook'],
    [withHook(' Pre-Install , post-upgrade'), 'hook'],
    [withHook('test'), 'test'],
    [withHook('test-success'), 'test'],
    [withHook('pre-install,test'), 'test'],
    [withHook('pre-instal'), 'unknown'],
    [withHook('post-install,crd-install'), 'unknown'],
  ])('%j → %s', (obj, expected) => expect(hookKind(obj)).toBe(expected));
});

describe('ownership and namespace', () => {
  const release = { releaseName: 'web', namespace: 'apps' };

  it('merges the managed-by label and release annotations over the chart’s own', () => {
    const obj = {
      kind: 'ConfigMap',
      metadata: {
        name: 'a',
        labels: { 'app.kubernetes.io/managed-by': 'Chart', keep: 'me' },
        annotations: { 'meta.helm.sh/release-name': 'other', note: 'x' },
      },
    };
    expect(withOwnership(obj, release).metadata).toEqual({
      name: 'a',
      labels: { 'app.kubernetes.io/managed-by': 'Helm', keep: 'me' },
      annotations: {
        'meta.helm.sh/release-name': 'web',
        'meta.helm.sh/release-namespace': 'apps',
        note: 'x',
      },
    });
    expect(obj.metadata.labels['app.kubernetes.io/managed-by']).toBe('Chart');
  });

  const crds = clusterScopedCrdKinds([
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Gadget' } },
    },
  ]);
  it.each([
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, 'apps'],
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' } }, 'x'],
    [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, undefined],
    [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'a' } }, undefined],
    [{ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'a' } }, undefined],
    [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a' } }, 'apps'],
    [{ apiVersion: 'v1', kind: 'Role', metadata: { name: 'a' } }, 'apps'],
  ])('%j is placed in %s', (obj, ns) =>
    expect((inReleaseNamespace(obj, 'apps', crds).metadata as { namespace?: string }).namespace).toBe(ns),
  );

  it('flattens List documents as helm’s builder does', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { kind: 'ConfigMap', metadata: { name: 'a' } },
        { kind: 'ConfigMapList', items: [{ kind: 'Secret' }] },
      ],
    };
    expect(flattenLists([list, { kind: 'Service' }]).map((o) => o.kind)).toEqual([
      'ConfigMap',
      'Secret',
      'Service',
    ]);
  });

  it('sorts by Helm’s install order, unknown kinds last and alphabetically, stable otherwise', () => {
    const objs = ['Deployment/a', 'Zed/z', 'ConfigMap/b', 'Alpha/y', 'Namespace/n', 'ConfigMap/a'].map(
      (s) => {
        const [kind, name] = s.split('/');
        return { kind, metadata: { name } };
      },
    );
    expect(sortByInstallOrder(objs, (o) => o).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/n',
      'ConfigMap/b',
      'ConfigMap/a',
      'Deployment/a',
      'Alpha/y',
      'Zed/z',
    ]);
  });
});

describe('helmTemplateArgs', () => {
  const flags: HelmTemplateFlags = {
    releaseName: 'web',
    namespace: 'apps',
    isUpgrade: true,
    includeCrds: true,
    disableHooks: true,
    capabilities: {
      kubeVersion: 'v1.31.2',
      apiVersions: ['apps/v1', 'monitoring.coreos.com/v1/ServiceMonitor'],
    },
  };

  it('puts every value in --flag=value form and the positionals after --', () => {
    expect(helmTemplateArgs(flags, '/snap/app', '/w/values.yaml')).toEqual([
      'template',
      '--namespace=apps',
      '--values=/w/values.yaml',
      '--kube-version=v1.31.2',
      '--api-versions=apps/v1',
      '--api-versions=monitoring.coreos.com/v1/ServiceMonitor',
      '--is-upgrade',
      '--include-crds',
      '--no-hooks',
      '--',
      'web',
      '/snap/app',
    ]);
  });

  it.each([
    [{ releaseName: '--post-renderer=x' }, 'spec.releaseName'],
    [{ releaseName: 'a'.repeat(54) }, 'spec.releaseName'],
    [{ releaseName: 'Web' }, 'spec.releaseName'],
    [{ namespace: 'a/b' }, 'spec.targetNamespace'],
    [{ capabilities: { kubeVersion: '1.31 ', apiVersions: [] } }, 'capabilities.kubeVersion'],
    [{ capabilities: { kubeVersion: 'v1.31.0', apiVersions: ['a,b'] } }, 'capabilities.apiVersions'],
    [{ capabilities: { kubeVersion: 'v1.31.0', apiVersions: ['-x'] } }, 'capabilities.apiVersions'],
  ])('refuses %j', (over, field) => {
    let thrown: unknown;
    try {
      helmTemplateArgs({ ...flags, ...over }, '/c', '/v');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'ValidationFailed', field });
  });

  it.each(['v1.31.2', '1.31', 'v1.29.3-eks-abc123', 'v1.30.1+k3s1'])(
    'accepts Kubernetes version %s',
    (kubeVersion) =>
      expect(() =>
        helmTemplateArgs({ ...flags, capabilities: { kubeVersion, apiVersions: [] } }, '/c', '/v'),
      ).not.toThrow(),
  );
});

describe('helmRenderKey', () => {
  const input: HelmRenderKeyInput = {
    chartDigest: 'sha256:abc',
    values: { a: 1, b: { c: 'd' } },
    releaseName: 'web',
    namespace: 'apps',
    capabilities: { kubeVersion: 'v1.31.2', apiVersions: ['apps/v1', 'batch/v1'] },
    isUpgrade: false,
    includeCrds: true,
    disableHooks: false,
    postRenderers: [],
  };

  it('is equal for equal inputs, whatever the key order of values or the order of API versions', () => {
    expect(
      helmRenderKey({
        ...input,
        values: { b: { c: 'd' }, a: 1 },
        capabilities: { kubeVersion: 'v1.31.2', apiVersions: ['batch/v1', 'apps/v1', 'apps/v1'] },
      }),
    ).toBe(helmRenderKey(input));
    expect(helmRenderKey(input)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<HelmRenderKeyInput>]>([
    ['chart digest', { chartDigest: 'sha256:abd' }],
    ['values', { values: { a: 2, b: { c: 'd' } } }],
    ['release name', { releaseName: 'web2' }],
    ['namespace', { namespace: 'apps2' }],
    ['kube version', { capabilities: { kubeVersion: 'v1.31.3', apiVersions: ['apps/v1', 'batch/v1'] } }],
    ['API versions', { capabilities: { kubeVersion: 'v1.31.2', apiVersions: ['apps/v1'] } }],
    ['upgrade', { isUpgrade: true }],
    ['CRDs', { includeCrds: false }],
    ['hooks', { disableHooks: true }],
    ['post-renderers', { postRenderers: [{ patches: [], images: [{ name: 'x', newTag: '1' }] }] }],
    ['common metadata', { commonMetadata: { labels: { a: 'b' } } }],
  ])('changes with the %s', (_name, over) =>
    expect(helmRenderKey({ ...input, ...over })).not.toBe(helmRenderKey(input)),
  );
});
