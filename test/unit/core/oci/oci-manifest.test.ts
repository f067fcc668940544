import { describe, expect, it } from 'vitest';
import { parseManifestDocument } from '../../../../shared/core/oci/oci-manifest.ts';
import { errorOf } from '../../../support/error-of.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const manifest = {
  schemaVersion: 2,
  config: { mediaType: 'application/vnd.cncf.flux.config.v1+json', digest: d('c'), size: 2 },
  layers: [{ mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', digest: d('1'), size: 10 }],
};
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('parseManifestDocument', () => {
  it('reads an OCI manifest served as application/json by its shape', () => {
    const doc = parseManifestDocument(bytes(manifest), 'application/json', 'x');
    expect(doc.kind).toBe('manifest');
    if (doc.kind === 'manifest') expect(doc.manifest.layers[0]?.digest).toBe(d('1'));
  });

  it('reads an index with platforms', () => {
    const index = {
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
      manifests: [{ digest: d('2'), platform: { os: 'linux', architecture: 'arm', variant: 'v7' } }],
    };
    expect(parseManifestDocument(bytes(index), undefined, 'x')).toEqual({
      kind: 'index',
      entries: [
        { digest: d('2'), mediaType: 'application/vnd.oci.image.manifest.v1+json', platform: 'linux/arm/v7' },
      ],
    });
  });

  it.each([
    [
      'a schema 1 manifest',
      { ...manifest, mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' },
    ],
    ['a layer without digest', { ...manifest, layers: [{ mediaType: 'x', size: 1 }] }],
    [
      'a sha512 layer',
      { ...manifest, layers: [{ mediaType: 'x', size: 1, digest: `sha512:${'a'.repeat(128)}` }] },
    ],
    ['a negative size', { ...manifest, layers: [{ mediaType: 'x', size: -1, digest: d('1') }] }],
    ['no config', { ...manifest, config: undefined }],
    ['an array', [manifest]],
  ])('refuses %s', (_what, doc) => {
    expect(errorOf(() => parseManifestDocument(bytes(doc), undefined, 'x')).code).toBe('SourceFetchFailed');
  });
});
