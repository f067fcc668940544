// A Bucket found in a render becomes an input of its cluster: registered (not shipped), with a fetch
// identity made of its declared fields (a new prefix or endpoint is a new source) and no credentials in it.
import { describe, expect, it } from 'vitest';
import { decodeResource } from '../../../../shared/api/decode-resource.ts';
import { fetchSpecOf, type SourceObject } from '../../../../shared/core/pipeline/fetch-spec-of.ts';
import { parseSourceRefKey, sourceRefKey } from '../../../../shared/core/pipeline/source-kind.ts';
import { splitRenderedObjects } from '../../../../shared/core/pipeline/split-rendered-objects.ts';
import { unsupportedSourceKind } from '../../../../shared/core/pipeline/unsupported-source-kind.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

const bucket = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'Bucket',
  metadata: { name: 'assets', namespace: 'flux-system' },
  spec: {
    interval: '5m',
    endpoint: 'minio.example.com:9000',
    bucketName: 'assets',
    prefix: 'manifests/',
    secretRef: { name: 'bucket-keys' },
    ...spec,
  },
});

const decoded = (obj: KubeObject) =>
  decodeResource(obj, { file: 'sources.yaml', document: 0 }) as SourceObject;

describe('a Bucket in a render', () => {
  it('is registered as a source of the cluster and not shipped', () => {
    const split = splitRenderedObjects([bucket()], 'Kustomization/flux-system/infra');
    expect(split.chartSources.map((s) => s.kind)).toEqual(['Bucket']);
    expect(split.shipped).toEqual([]);
    expect(split.warnings).toEqual([]);
  });

  it('is fetched by its declared fields, shown by endpoint and bucket, with only the Secret named', () => {
    const spec = fetchSpecOf(decoded(bucket()), 'dev');
    expect(spec).toMatchObject({
      kind: 'Bucket',
      url: 'https://minio.example.com:9000/assets',
      secret: { cluster: 'dev', namespace: 'flux-system', name: 'bucket-keys' },
      bucket: {
        provider: 'generic',
        bucketName: 'assets',
        endpoint: 'minio.example.com:9000',
        prefix: 'manifests/',
        timeoutMs: 60_000,
      },
    });
    expect(fetchSpecOf(decoded(bucket({ prefix: 'other/' })), 'dev').sourceKey).not.toBe(spec.sourceKey);
    expect(fetchSpecOf(decoded(bucket({ insecure: true })), 'dev').url).toBe(
      'http://minio.example.com:9000/assets',
    );
  });

  it('is a supported Kustomization source, named Bucket/<ns>/<name> among the cluster sources', () => {
    const ref = { kind: 'Bucket', namespace: 'flux-system', name: 'assets' };
    expect(unsupportedSourceKind('Kustomization/flux-system/app', ref)).toBeUndefined();
    const key = sourceRefKey('Bucket', ref);
    expect(key).toBe('Bucket/flux-system/assets');
    expect(parseSourceRefKey(key)).toEqual({
      kind: 'Bucket',
      ref: { namespace: 'flux-system', name: 'assets' },
    });
  });
});
