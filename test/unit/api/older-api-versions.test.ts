// Older Flux API versions (kustomize v1beta2, source v1beta2, helm v2beta1/v2beta2) are decoded as the
// current ones, exactly as Flux converted them: same fields, the removed ones ignored, each with a status note.
import { describe, expect, it } from 'vitest';
import { decodeResource } from '../../../shared/api/decode-resource.ts';
import { convertOlderApiVersion, currentApiVersion } from '../../../shared/api/older-api-versions.ts';
import { errorOf } from '../../support/error-of.ts';

type Raw = Record<string, unknown>;

const at = { file: 'clusters/dev/apps.yaml', document: 0 };
const meta = { name: 'apps', namespace: 'flux-system' };

const CURRENT: Record<string, Raw> = {
  Kustomization: {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: meta,
    spec: {
      interval: '10m',
      path: './apps',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      patches: [{ patch: '- op: add\n  path: /x\n  value: 1', target: { kind: 'Deployment' } }],
      postBuild: { substitute: { env: 'dev' } },
    },
  },
  GitRepository: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: meta,
    spec: { url: 'https://github.com/org/fleet', interval: '1m', ref: { branch: 'main' } },
  },
  HelmRepository: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: meta,
    spec: { url: 'https://charts.example.com', interval: '1h' },
  },
  OCIRepository: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: meta,
    spec: { url: 'oci://ghcr.io/org/manifests', interval: '5m', ref: { tag: 'latest' } },
  },
  Bucket: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'Bucket',
    metadata: meta,
    spec: { interval: '5m', endpoint: 'minio.example.com', bucketName: 'fleet', prefix: 'apps/' },
  },
  HelmChart: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmChart',
    metadata: meta,
    spec: {
      chart: 'podinfo',
      version: '6.x',
      interval: '10m',
      sourceRef: { kind: 'HelmRepository', name: 'charts' },
      valuesFiles: ['values-prod.yaml'],
    },
  },
  HelmRelease: {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: meta,
    spec: {
      interval: '10m',
      targetNamespace: 'web',
      storageNamespace: 'web',
      chart: {
        spec: {
          chart: 'podinfo',
          version: '6.x',
          sourceRef: { kind: 'HelmRepository', name: 'charts' },
          valuesFiles: ['values-prod.yaml'],
        },
      },
      values: { replicaCount: 2 },
      postRenderers: [{ kustomize: { images: [{ name: 'nginx', newTag: '1.27' }] } }],
    },
  },
};

function written(kind: string, apiVersion: string, extra: (spec: Raw) => void = () => {}): Raw {
  const object = structuredClone(CURRENT[kind]) as Raw & { spec: Raw };
  extra(object.spec);
  return { ...object, apiVersion };
}

const deprecation = (kind: string, apiVersion: string, current: string, last: string, removed: string) =>
  `${kind}/flux-system/apps: ${apiVersion} is deprecated and no longer served since Flux ${removed}; Sluice converts it to ${current.split('/')[1]} as Flux ${last} did — move to ${current}`;

describe('an object in an older Flux apiVersion', () => {
  const cases: [string, string, string, string, string][] = [
    ['Kustomization', 'kustomize.toolkit.fluxcd.io/v1beta2', 'kustomize.toolkit.fluxcd.io/v1', '2.7', '2.8'],
    ['GitRepository', 'source.toolkit.fluxcd.io/v1beta2', 'source.toolkit.fluxcd.io/v1', '2.7', '2.8'],
    ['HelmRepository', 'source.toolkit.fluxcd.io/v1beta2', 'source.toolkit.fluxcd.io/v1', '2.7', '2.8'],
    ['OCIRepository', 'source.toolkit.fluxcd.io/v1beta2', 'source.toolkit.fluxcd.io/v1', '2.7', '2.8'],
    ['HelmChart', 'source.toolkit.fluxcd.io/v1beta2', 'source.toolkit.fluxcd.io/v1', '2.7', '2.8'],
    ['Bucket', 'source.toolkit.fluxcd.io/v1beta2', 'source.toolkit.fluxcd.io/v1', '2.7', '2.8'],
    ['HelmRelease', 'helm.toolkit.fluxcd.io/v2beta2', 'helm.toolkit.fluxcd.io/v2', '2.7', '2.8'],
    ['HelmRelease', 'helm.toolkit.fluxcd.io/v2beta1', 'helm.toolkit.fluxcd.io/v2', '2.6', '2.7'],
  ];

  it.each(cases)(
    '%s %s decodes to the same resource as %s, with one deprecation note',
    (kind, old, current, last, removed) => {
      const notes: string[] = [];
      const converted = decodeResource(written(kind, old), at, notes);
      expect(converted).toEqual(decodeResource(CURRENT[kind] as Raw, at));
      expect(notes).toEqual([deprecation(kind, old, current, last, removed)]);
    },
  );

  it.each(cases)('%s %s is decoded as %s', (kind, old, current) => {
    expect(currentApiVersion(old, kind)).toBe(current);
  });

  it('leaves current versions, other kinds and other groups alone', () => {
    expect(convertOlderApiVersion(CURRENT.Kustomization as Raw)).toBeUndefined();
    expect(
      convertOlderApiVersion({
        ...(CURRENT.Kustomization as Raw),
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta1',
      }),
    ).toBeUndefined();
    expect(
      convertOlderApiVersion({
        apiVersion: 'source.toolkit.fluxcd.io/v1beta2',
        kind: 'ExternalArtifact',
        metadata: meta,
      }),
    ).toBeUndefined();
    expect(currentApiVersion('notification.toolkit.fluxcd.io/v1beta3', 'Alert')).toBe(
      'notification.toolkit.fluxcd.io/v1beta3',
    );
  });

  it('names the default namespace flux-system when the object has none', () => {
    const object = {
      ...written('GitRepository', 'source.toolkit.fluxcd.io/v1beta2'),
      metadata: { name: 'apps' },
    };
    expect(convertOlderApiVersion(object)?.notes[0]).toMatch(/^GitRepository\/flux-system\/apps: /);
  });

  it('does not change the object it was given', () => {
    const object = written('HelmChart', 'source.toolkit.fluxcd.io/v1beta2', (spec) => {
      spec.valuesFile = 'values.yaml';
    });
    const before = structuredClone(object);
    convertOlderApiVersion(object);
    expect(object).toEqual(before);
  });
});

describe('a field the current version no longer has is dropped as Flux drops it, with a note', () => {
  const ignored = (kind: string, apiVersion: string, field: string, advice: string) =>
    `${kind}/flux-system/apps: ${field} is not a field of ${currentApiVersion(apiVersion, kind)}, so Flux ignores it and so does Sluice; ${advice}`;

  const cases: [string, string, string, (spec: Raw) => void, string][] = [
    [
      'Kustomization',
      'kustomize.toolkit.fluxcd.io/v1beta2',
      'spec.patchesStrategicMerge',
      (s) => {
        s.patchesStrategicMerge = [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }];
      },
      'write it as an item of spec.patches',
    ],
    [
      'Kustomization',
      'kustomize.toolkit.fluxcd.io/v1beta2',
      'spec.patchesJson6902',
      (s) => {
        s.patchesJson6902 = [
          { target: { kind: 'Deployment', name: 'web' }, patch: [{ op: 'remove', path: '/x' }] },
        ];
      },
      'write it as an item of spec.patches with its target',
    ],
    [
      'Kustomization',
      'kustomize.toolkit.fluxcd.io/v1beta2',
      'spec.validation',
      (s) => {
        s.validation = 'client';
      },
      'remove it: server-side apply always validates',
    ],
    [
      'GitRepository',
      'source.toolkit.fluxcd.io/v1beta2',
      'spec.gitImplementation',
      (s) => {
        s.gitImplementation = 'libgit2';
      },
      'remove it: Flux always uses go-git',
    ],
    [
      'GitRepository',
      'source.toolkit.fluxcd.io/v1beta2',
      'spec.accessFrom',
      (s) => {
        s.accessFrom = { namespaceSelectors: [{ matchLabels: { team: 'a' } }] };
      },
      'remove it: a GitRepository v1 has no access control',
    ],
    [
      'Bucket',
      'source.toolkit.fluxcd.io/v1beta2',
      'spec.accessFrom',
      (s) => {
        s.accessFrom = { namespaceSelectors: [{ matchLabels: { team: 'a' } }] };
      },
      'remove it: a Bucket v1 has no access control',
    ],
    [
      'HelmChart',
      'source.toolkit.fluxcd.io/v1beta2',
      'spec.valuesFile',
      (s) => {
        s.valuesFile = 'values.yaml';
      },
      'list the file in spec.valuesFiles',
    ],
    [
      'HelmChart',
      'source.toolkit.fluxcd.io/v1beta2',
      'spec.accessFrom',
      (s) => {
        s.accessFrom = { namespaceSelectors: [] };
      },
      'remove it: a HelmChart v1 has no access control',
    ],
    ...(['helm.toolkit.fluxcd.io/v2beta1', 'helm.toolkit.fluxcd.io/v2beta2'] as const).flatMap(
      (v): [string, string, string, (spec: Raw) => void, string][] => [
        [
          'HelmRelease',
          v,
          'spec.chart.spec.valuesFile',
          (s) => {
            ((s.chart as Raw).spec as Raw).valuesFile = 'values.yaml';
          },
          'list the file in spec.chart.spec.valuesFiles',
        ],
        [
          'HelmRelease',
          v,
          'spec.postRenderers[0].kustomize.patchesStrategicMerge',
          (s) => {
            ((s.postRenderers as Raw[])[0]?.kustomize as Raw).patchesStrategicMerge = [
              { kind: 'Deployment' },
            ];
          },
          'write it as an item of the same post-renderer’s kustomize.patches',
        ],
        [
          'HelmRelease',
          v,
          'spec.postRenderers[1].kustomize.patchesJson6902',
          (s) => {
            (s.postRenderers as Raw[]).push({
              kustomize: { patchesJson6902: [{ target: { kind: 'Service' }, patch: [] }] },
            });
          },
          'write it as an item of the same post-renderer’s kustomize.patches',
        ],
      ],
    ),
  ];

  it.each(cases)('%s %s %s', (kind, apiVersion, field, add, advice) => {
    const notes: string[] = [];
    const object = written(kind, apiVersion, add);
    const decoded = decodeResource(object, at, notes);
    const expected = structuredClone(CURRENT[kind]) as Raw & { spec: Raw };
    // The second post-renderer of the patchesJson6902 case stays, emptied, as Flux keeps it.
    if (field.startsWith('spec.postRenderers[1]'))
      (expected.spec.postRenderers as Raw[]).push({ kustomize: {} });
    expect(decoded).toEqual(decodeResource(expected, at));
    expect(notes.slice(1)).toEqual([ignored(kind, apiVersion, field, advice)]);
  });

  it('names a dropped field by its path only, never echoing its value', () => {
    const notes: string[] = [];
    const object = written('Kustomization', 'kustomize.toolkit.fluxcd.io/v1beta2', (s) => {
      s.patchesStrategicMerge = [{ kind: 'Secret', stringData: { token: 'ghp_S3cr3t-T0ken' } }];
    });
    decodeResource(object, at, notes);
    expect(notes.join('\n')).not.toContain('S3cr3t');
  });

  it('the same field in the current version is still refused as unknown, as the v1 CRD refuses it', () => {
    const current = written('Kustomization', 'kustomize.toolkit.fluxcd.io/v1', (s) => {
      s.patchesStrategicMerge = [];
    });
    expect(errorOf(() => decodeResource(current, at))).toMatchObject({ code: 'ValidationFailed' });
  });
});
