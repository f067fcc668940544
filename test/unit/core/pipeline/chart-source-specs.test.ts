// How chart and OCI sources found in a render become this cluster's inputs: which are registered, what a
// HelmRelease's chart template adds, and the fetch identity each kind gets (Git keys unchanged).
import { describe, expect, it } from 'vitest';
import { decodeResource } from '../../../../shared/api/decode-resource.ts';
import { fetchSpecOf, type SourceObject } from '../../../../shared/core/pipeline/fetch-spec-of.ts';
import { parseSourceRefKey, sourceRefKey } from '../../../../shared/core/pipeline/source-kind.ts';
import { splitRenderedObjects } from '../../../../shared/core/pipeline/split-rendered-objects.ts';
import { sourceKeyOf } from '../../../../shared/core/pipeline/state-keys.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

const BY = 'Kustomization/flux-system/infra';

const helmRepository = (name: string, url: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'HelmRepository',
  metadata: { name, namespace: 'flux-system' },
  spec: { interval: '1h', url, ...extra },
});

const ociRepository = (name: string, tag: string): KubeObject => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'OCIRepository',
  metadata: { name, namespace: 'flux-system' },
  spec: { interval: '5m', url: 'oci://ghcr.io/stefanprodan/manifests/podinfo', ref: { tag } },
});

const helmRelease = (chart: Record<string, unknown>): KubeObject => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'podinfo', namespace: 'apps' },
  spec: { interval: '10m', ...chart },
});

const decoded = (obj: KubeObject) =>
  decodeResource(obj, { file: 'sources.yaml', document: 0 }) as SourceObject;

describe('chart and OCI sources in a render', () => {
  it('registers HelmRepositories, OCIRepositories and HelmCharts as inputs and ships none of them', () => {
    const split = splitRenderedObjects(
      [
        helmRepository('podinfo', 'https://stefanprodan.github.io/podinfo'),
        ociRepository('manifests', '6.7.0'),
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'HelmChart',
          metadata: { name: 'podinfo', namespace: 'flux-system' },
          spec: { interval: '1h', chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } },
        },
      ],
      BY,
    );
    expect(split.shipped).toEqual([]);
    expect(split.chartSources.map((s) => `${s.kind}/${s.metadata.name}`)).toEqual([
      'HelmRepository/podinfo',
      'OCIRepository/manifests',
      'HelmChart/podinfo',
    ]);
    expect(split.warnings).toEqual([]);
  });

  it('registers a HelmRelease as a target and the HelmChart its chart template implies as a source', () => {
    const split = splitRenderedObjects(
      [
        helmRelease({
          chart: {
            spec: {
              chart: 'podinfo',
              version: '6.x',
              sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system' },
            },
          },
        }),
      ],
      BY,
    );
    expect(split.shipped).toEqual([]);
    expect(split.chartSources.map((s) => [s.kind, s.metadata.namespace, s.metadata.name])).toEqual([
      ['HelmChart', 'flux-system', 'apps-podinfo'],
    ]);
    expect(
      split.helmReleases.map((r) => [r.metadata.namespace, r.metadata.name, r.spec.releaseName]),
    ).toEqual([['apps', 'podinfo', 'podinfo']]);
    expect(split.warnings).toEqual([]);
  });

  it('a HelmRelease with chartRef implies no chart; a HelmChart from a Bucket is a source like any other', () => {
    const split = splitRenderedObjects(
      [
        helmRelease({ chartRef: { kind: 'OCIRepository', name: 'podinfo' } }),
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'HelmChart',
          metadata: { name: 'from-bucket', namespace: 'flux-system' },
          spec: { interval: '1h', chart: './charts/app', sourceRef: { kind: 'Bucket', name: 'b' } },
        },
      ],
      BY,
    );
    expect(split.chartSources.map((s) => `${s.kind}/${s.metadata.name}`)).toEqual(['HelmChart/from-bucket']);
    expect(split.warnings).toEqual([]);
  });
});

describe('fetch identity per kind', () => {
  it('keeps the key a GitRepository had before other kinds existed', () => {
    const repo = decoded({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'tenant', namespace: 'flux-system' },
      spec: { interval: '1m', url: 'https://git.example.com/tenant.git', ref: { branch: 'main' } },
    });
    const spec = fetchSpecOf(repo, 'dev');
    expect(spec.sourceKey).toBe(
      sourceKeyOf({ url: 'https://git.example.com/tenant.git', ref: { branch: 'main' }, ignore: undefined }),
    );
    expect(spec.kind).toBeUndefined();
  });

  it('gives equal declarations one key across clusters, and a Secret makes the key per cluster', () => {
    const open = decoded(helmRepository('podinfo', 'https://stefanprodan.github.io/podinfo'));
    expect(fetchSpecOf(open, 'dev').sourceKey).toBe(fetchSpecOf(open, 'prod').sourceKey);
    const authed = decoded(
      helmRepository('podinfo', 'https://stefanprodan.github.io/podinfo', { secretRef: { name: 'auth' } }),
    );
    expect(fetchSpecOf(authed, 'dev').sourceKey).not.toBe(fetchSpecOf(authed, 'prod').sourceKey);
    expect(fetchSpecOf(authed, 'dev').secret).toEqual({
      cluster: 'dev',
      namespace: 'flux-system',
      name: 'auth',
    });
  });

  it('tells kinds and refs apart: an OCIRepository at another tag is another source', () => {
    const a = fetchSpecOf(decoded(ociRepository('m', '6.7.0')), 'dev');
    const b = fetchSpecOf(decoded(ociRepository('m', '6.7.1')), 'dev');
    expect(a.kind).toBe('OCIRepository');
    expect(a.sourceKey).not.toBe(b.sourceKey);
    expect(a.oci?.ref).toEqual({ tag: '6.7.0' });
  });

  it("names a HelmChart's source by the cluster's object, so it may be declared elsewhere or later", () => {
    const chart = decoded({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmChart',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: {
        interval: '1h',
        chart: 'podinfo',
        version: '6.x',
        sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
        valuesFiles: ['values.yaml', 'values-prod.yaml'],
      },
    });
    const spec = fetchSpecOf(chart, 'dev');
    expect(spec.url).toBe('HelmRepository/flux-system/podinfo#podinfo');
    expect(spec.helmChart).toEqual({
      chart: 'podinfo',
      version: '6.x',
      sourceRef: { cluster: 'dev', kind: 'HelmRepository', namespace: 'flux-system', name: 'podinfo' },
      valuesFiles: ['values.yaml', 'values-prod.yaml'],
      ignoreMissingValuesFiles: false,
      reconcileStrategy: 'ChartVersion',
    });
    expect(fetchSpecOf(chart, 'prod').sourceKey).not.toBe(spec.sourceKey);
  });

  it('spells declaration references as earlier versions did for Git, with the kind for others', () => {
    const ref = { namespace: 'flux-system', name: 'podinfo' };
    expect(sourceRefKey('GitRepository', ref)).toBe('flux-system/podinfo');
    expect(sourceRefKey('HelmRepository', ref)).toBe('HelmRepository/flux-system/podinfo');
    expect(parseSourceRefKey('HelmRepository/flux-system/podinfo')).toEqual({ kind: 'HelmRepository', ref });
    expect(parseSourceRefKey('flux-system/podinfo')).toEqual({ kind: 'GitRepository', ref });
  });
});
