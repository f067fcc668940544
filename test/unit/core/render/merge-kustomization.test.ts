// Flux's GenerateManifest merge (FLUX-RENDER §2): how a Kustomization's spec fields land in the
// kustomization file kustomize builds, plus the `sortOptions: fifo` Sluice adds to keep Flux's order.
import { describe, expect, it } from 'vitest';
import type { KustomizationSpec } from '../../../../shared/api/kustomization.ts';
import { isSluiceError } from '../../../../shared/core/errors.ts';
import {
  isLocalRelativePath,
  mergeKustomization,
} from '../../../../shared/core/render/merge-kustomization.ts';
import { testSpec } from '../../../support/kustomization-fixture.ts';

type Raw = Record<string, unknown>;

const OBJECT_REF = 'Kustomization/flux-system/apps';

const spec = testSpec;

interface MergeCase {
  name: string;
  existing?: Raw;
  generated?: string[];
  spec?: Partial<KustomizationSpec>;
  existingComponents?: string[];
  want: Raw;
}

function merge(c: Omit<MergeCase, 'name' | 'want'>): Raw {
  return mergeKustomization({
    existing: c.existing,
    generatedResources: c.generated ?? [],
    spec: spec(c.spec),
    componentExists: (component) => (c.existingComponents ?? []).includes(component),
    objectRef: OBJECT_REF,
  });
}

const API = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
const FIFO = { sortOptions: { order: 'fifo' } };

describe('mergeKustomization', () => {
  describe('replaces targetNamespace, namePrefix and nameSuffix', () => {
    const cases: MergeCase[] = [
      {
        name: 'targetNamespace replaces the namespace of the file',
        existing: { resources: ['a.yaml'], namespace: 'from-file' },
        spec: { targetNamespace: 'from-spec' },
        want: { ...API, resources: ['a.yaml'], namespace: 'from-spec', ...FIFO },
      },
      {
        name: 'the namespace of the file is kept when targetNamespace is absent',
        existing: { resources: ['a.yaml'], namespace: 'from-file' },
        want: { ...API, resources: ['a.yaml'], namespace: 'from-file', ...FIFO },
      },
      {
        name: 'namePrefix replaces the prefix of the file instead of concatenating',
        existing: { resources: ['a.yaml'], namePrefix: 'file-' },
        spec: { namePrefix: 'flux-' },
        want: { ...API, resources: ['a.yaml'], namePrefix: 'flux-', ...FIFO },
      },
      {
        name: 'nameSuffix replaces the suffix of the file',
        existing: { resources: ['a.yaml'], nameSuffix: '-file' },
        spec: { nameSuffix: '-flux' },
        want: { ...API, resources: ['a.yaml'], nameSuffix: '-flux', ...FIFO },
      },
      {
        name: 'all three are set on a generated kustomization',
        generated: ['./cm.yaml'],
        spec: { targetNamespace: 'team', namePrefix: 'p-', nameSuffix: '-s' },
        want: {
          ...API,
          resources: ['./cm.yaml'],
          namespace: 'team',
          namePrefix: 'p-',
          nameSuffix: '-s',
          ...FIFO,
        },
      },
    ];
    it.each(cases)('$name', (c) => {
      expect(merge(c)).toEqual(c.want);
    });
  });

  describe('appends patches and components after those of the file', () => {
    const filePatch = { path: 'patch.yaml', target: { kind: 'Deployment' } };
    const specPatch = {
      patch: '- op: remove\n  path: /spec/replicas',
      target: { kind: 'Deployment', name: 'web' },
    };
    const smp = { patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n' };
    const cases: MergeCase[] = [
      {
        name: 'spec patches come after the patches of the file, in order',
        existing: { resources: ['a.yaml'], patches: [filePatch] },
        spec: { patches: [specPatch, smp] },
        want: { ...API, resources: ['a.yaml'], patches: [filePatch, specPatch, smp], ...FIFO },
      },
      {
        name: 'spec patches start the list when the file has none',
        existing: { resources: ['a.yaml'] },
        spec: { patches: [smp] },
        want: { ...API, resources: ['a.yaml'], patches: [smp], ...FIFO },
      },
      {
        name: 'spec components come after the components of the file',
        existing: { resources: ['a.yaml'], components: ['../components/a'] },
        spec: { components: ['../components/b', 'local'] },
        want: {
          ...API,
          resources: ['a.yaml'],
          components: ['../components/a', '../components/b', 'local'],
          ...FIFO,
        },
      },
      {
        name: 'a missing component is kept without ignoreMissingComponents (kustomize reports it)',
        existing: { resources: ['a.yaml'] },
        spec: { components: ['../missing'] },
        want: { ...API, resources: ['a.yaml'], components: ['../missing'], ...FIFO },
      },
      {
        name: 'ignoreMissingComponents skips missing components and keeps present ones',
        existing: { resources: ['a.yaml'], components: ['../from-file'] },
        spec: { components: ['../missing', '../present'], ignoreMissingComponents: true },
        existingComponents: ['../present'],
        want: { ...API, resources: ['a.yaml'], components: ['../from-file', '../present'], ...FIFO },
      },
      {
        name: 'ignoreMissingComponents never removes components listed in the file',
        existing: { resources: ['a.yaml'], components: ['../from-file'] },
        spec: { components: ['../missing'], ignoreMissingComponents: true },
        want: { ...API, resources: ['a.yaml'], components: ['../from-file'], ...FIFO },
      },
    ];
    it.each(cases)('$name', (c) => {
      expect(merge(c)).toEqual(c.want);
    });

    it('does not alias the spec patches into the merged file', () => {
      const patches = [{ patch: 'p', target: { kind: 'Deployment' } }];
      const merged = merge({ existing: { resources: ['a.yaml'] }, spec: { patches } });
      (merged.patches as Raw[]).forEach((p) => {
        p.patch = 'changed';
      });
      expect(patches).toEqual([{ patch: 'p', target: { kind: 'Deployment' } }]);
    });
  });

  describe('refuses a component that is not local and relative', () => {
    const cases = [
      'https://github.com/org/repo//components/x',
      'http://example.com/components/x',
      'git::https://github.com/org/repo//components/x',
      'ssh://git@github.com/org/repo',
      'git@github.com:org/repo.git',
      'github.com/org/repo//components/x',
      'github.com:org/repo',
      'gh:org/repo',
      'HTTPS://GitHub.com/org/repo',
      '/abs/components/x',
      'file:///abs/components/x',
    ];
    it.each(cases)('%s', (component) => {
      const run = () =>
        merge({ existing: { resources: ['a.yaml'] }, spec: { components: ['./ok', component] } });
      expect(run).toThrowError(
        `${OBJECT_REF}: spec.components[1]: component path '${component}' must be local and relative`,
      );
      try {
        run();
      } catch (err) {
        expect(isSluiceError(err) && err.code).toBe('BuildFailed');
        expect(isSluiceError(err) && err.field).toBe('spec.components[1]');
      }
    });

    it('checks locality before ignoreMissingComponents can skip the entry', () => {
      const run = () =>
        merge({
          existing: { resources: ['a.yaml'] },
          spec: { components: ['https://example.com/c'], ignoreMissingComponents: true },
        });
      expect(run).toThrowError(/component path 'https:\/\/example\.com\/c' must be local and relative/);
    });
  });

  describe('merges images by name (pkg/kustomize v1.39 rules)', () => {
    type Image = { name: string; newName?: string; newTag?: string; digest?: string };
    const cases: { name: string; file: Image[] | undefined; spec: Image[]; want: Image[] }[] = [
      {
        name: 'a new name is appended after the images of the file',
        file: [{ name: 'nginx', newTag: '1.0' }],
        spec: [{ name: 'redis', newTag: '7' }],
        want: [
          { name: 'nginx', newTag: '1.0' },
          { name: 'redis', newTag: '7' },
        ],
      },
      {
        name: 'images are created when the file has none',
        file: undefined,
        spec: [{ name: 'redis', newName: 'mirror/redis', digest: 'sha256:abc' }],
        want: [{ name: 'redis', newName: 'mirror/redis', digest: 'sha256:abc' }],
      },
      {
        name: 'newTag on an existing name replaces the tag and clears the digest',
        file: [{ name: 'nginx', newName: 'mirror/nginx', newTag: '1.0', digest: 'sha256:old' }],
        spec: [{ name: 'nginx', newTag: '2.0' }],
        want: [{ name: 'nginx', newName: 'mirror/nginx', newTag: '2.0' }],
      },
      {
        name: 'digest on an existing name replaces the digest and clears the tag',
        file: [{ name: 'nginx', newTag: '1.0' }],
        spec: [{ name: 'nginx', digest: 'sha256:new' }],
        want: [{ name: 'nginx', digest: 'sha256:new' }],
      },
      {
        name: 'newTag and digest together replace both',
        file: [{ name: 'nginx', newTag: '1.0', digest: 'sha256:old' }],
        spec: [{ name: 'nginx', newTag: '2.0', digest: 'sha256:new' }],
        want: [{ name: 'nginx', newTag: '2.0', digest: 'sha256:new' }],
      },
      {
        name: 'newName alone overrides the name and keeps tag and digest',
        file: [{ name: 'nginx', newName: 'old/nginx', newTag: '1.0', digest: 'sha256:old' }],
        spec: [{ name: 'nginx', newName: 'new/nginx' }],
        want: [{ name: 'nginx', newName: 'new/nginx', newTag: '1.0', digest: 'sha256:old' }],
      },
      {
        name: 'an entry with only a name changes nothing',
        file: [{ name: 'nginx', newName: 'mirror/nginx', newTag: '1.0' }],
        spec: [{ name: 'nginx' }],
        want: [{ name: 'nginx', newName: 'mirror/nginx', newTag: '1.0' }],
      },
      {
        name: 'the position of an existing image is kept',
        file: [
          { name: 'a', newTag: '1' },
          { name: 'b', newTag: '1' },
          { name: 'c', newTag: '1' },
        ],
        spec: [{ name: 'b', newTag: '2' }],
        want: [
          { name: 'a', newTag: '1' },
          { name: 'b', newTag: '2' },
          { name: 'c', newTag: '1' },
        ],
      },
    ];
    it.each(cases)('$name', (c) => {
      const existing: Raw = { resources: ['a.yaml'], ...(c.file && { images: c.file }) };
      expect(merge({ existing, spec: { images: c.spec } }).images).toEqual(c.want);
    });

    it('does not modify the parsed file it was given', () => {
      const file = [{ name: 'nginx', newTag: '1.0' }];
      merge({
        existing: { resources: ['a.yaml'], images: file },
        spec: { images: [{ name: 'nginx', newTag: '2' }] },
      });
      expect(file).toEqual([{ name: 'nginx', newTag: '1.0' }]);
    });
  });

  describe('re-marshals the file through kustomize’s type', () => {
    const cases: MergeCase[] = [
      {
        name: 'unknown top-level fields are dropped',
        existing: { resources: ['a.yaml'], foo: 'bar', helmChartz: [], 'x-notes': 'hi' },
        want: { ...API, resources: ['a.yaml'], ...FIFO },
      },
      {
        name: 'known fields are kept as they are',
        existing: {
          resources: ['a.yaml'],
          configMapGenerator: [{ name: 'cfg', literals: ['a=b'] }],
          commonLabels: { app: 'web' },
          labels: [{ pairs: { team: 'a' } }],
          replicas: [{ name: 'web', count: 2 }],
          generatorOptions: { disableNameSuffixHash: true },
        },
        want: {
          ...API,
          resources: ['a.yaml'],
          configMapGenerator: [{ name: 'cfg', literals: ['a=b'] }],
          commonLabels: { app: 'web' },
          labels: [{ pairs: { team: 'a' } }],
          replicas: [{ name: 'web', count: 2 }],
          generatorOptions: { disableNameSuffixHash: true },
          ...FIFO,
        },
      },
      {
        name: 'apiVersion and kind are defaulted when the file omits them',
        existing: { resources: ['a.yaml'] },
        want: { ...API, resources: ['a.yaml'], ...FIFO },
      },
      {
        name: 'kind: Component is kept',
        existing: {
          apiVersion: 'kustomize.config.k8s.io/v1alpha1',
          kind: 'Component',
          resources: ['a.yaml'],
        },
        want: {
          apiVersion: 'kustomize.config.k8s.io/v1alpha1',
          kind: 'Component',
          resources: ['a.yaml'],
          ...FIFO,
        },
      },
      {
        name: 'sortOptions of the file are kept',
        existing: { resources: ['a.yaml'], sortOptions: { order: 'legacy' } },
        want: { ...API, resources: ['a.yaml'], sortOptions: { order: 'legacy' } },
      },
    ];
    it.each(cases)('$name', (c) => {
      expect(merge(c)).toEqual(c.want);
    });
  });

  describe('works around "kustomization.yaml is empty"', () => {
    const cases: MergeCase[] = [
      {
        name: 'an existing file without resources gets buildMetadata [originAnnotations]',
        existing: { configMapGenerator: [{ name: 'cfg', literals: ['a=b'] }] },
        want: {
          ...API,
          configMapGenerator: [{ name: 'cfg', literals: ['a=b'] }],
          buildMetadata: ['originAnnotations'],
          ...FIFO,
        },
      },
      {
        name: 'an existing file with an empty resources list gets buildMetadata [originAnnotations]',
        existing: { resources: [], components: ['../c'] },
        want: { ...API, resources: [], components: ['../c'], buildMetadata: ['originAnnotations'], ...FIFO },
      },
      {
        name: 'an existing file with resources gets no buildMetadata',
        existing: { resources: ['a.yaml'] },
        want: { ...API, resources: ['a.yaml'], ...FIFO },
      },
      {
        name: 'the buildMetadata of a file with resources is kept',
        existing: { resources: ['a.yaml'], buildMetadata: ['transformerAnnotations'] },
        want: { ...API, resources: ['a.yaml'], buildMetadata: ['transformerAnnotations'], ...FIFO },
      },
      {
        name: 'a generated file lists the scanned resources and gets no buildMetadata',
        generated: ['./app', './cm.yaml', './sub/deploy.yaml'],
        want: { ...API, resources: ['./app', './cm.yaml', './sub/deploy.yaml'], ...FIFO },
      },
      {
        name: 'a generated file with zero resources gets namespace _placeholder and no resources',
        generated: [],
        want: { ...API, namespace: '_placeholder', ...FIFO },
      },
      {
        name: 'targetNamespace still replaces the _placeholder namespace',
        generated: [],
        spec: { targetNamespace: 'team' },
        want: { ...API, namespace: 'team', ...FIFO },
      },
      {
        name: 'generated resources are ignored when a file exists',
        existing: { resources: ['a.yaml'] },
        generated: ['./b.yaml'],
        want: { ...API, resources: ['a.yaml'], ...FIFO },
      },
    ];
    it.each(cases)('$name', (c) => {
      expect(merge(c)).toEqual(c.want);
    });
  });
});

describe('isLocalRelativePath', () => {
  const cases: [string, boolean][] = [
    ['components/a', true],
    ['./components/a', true],
    ['../../components/a', true],
    ['file://components/a', true],
    ['githubcom/org/repo', true],
    ['/abs/path', false],
    ['file:///abs/path', false],
    ['git::https://github.com/org/repo', false],
    ['GIT::https://github.com/org/repo', false],
    ['gh:org/repo', false],
    ['ssh://git@github.com/org/repo', false],
    ['https://example.com/x', false],
    ['http://example.com/x', false],
    ['git@github.com:org/repo', false],
    ['github.com:org/repo', false],
    ['github.com/org/repo', false],
    ['GitHub.com/org/repo', false],
  ];
  it.each(cases)('%s → %s', (path, want) => {
    expect(isLocalRelativePath(path)).toBe(want);
  });
});
