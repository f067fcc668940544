// OCI registries are untrusted input: credentials stay with the registry (never sent to a blob CDN it redirects
// to), its token realm obeys the address policy, unsafe layers and oversized manifests or blobs are refused.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeHeader } from '../../shared/core/archive/tar-header.ts';
import type { RemoteAccess } from '../../shared/ports/remote-access.ts';
import { rejectionOf } from '../support/error-of.ts';
import { FLUX_CONTENT_TYPE, pushArtifact, pushFluxArtifact } from '../support/flux-artifact.ts';
import { ociSourceSetup } from '../support/oci-source-setup.ts';

const MiB = 1024 * 1024;
const setup = ociSourceSetup('oci-sec');

const basic = (user: string, pw: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`,
});
const creds: RemoteAccess = { insecure: true, credentials: { username: 'ci', password: 'hunter2' } };

describe('OCI sources: credentials', () => {
  it('sends no credentials to the origin a blob is redirected to, and the CDN download still works', async () => {
    const { registry, source } = await setup({
      auth: { scheme: 'basic', username: 'ci', password: 'hunter2' },
      redirectBlobs: true,
    });
    await pushFluxArtifact(
      registry.origin,
      'fleet',
      'v1',
      { 'a.yaml': 'a: 1\n' },
      { headers: basic('ci', 'hunter2') },
    );
    const snap = await source.fetch({ url: registry.url('fleet'), ref: { tag: 'v1' }, access: creds });
    expect(await readdir(snap.dir)).toEqual(['a.yaml']);
    const cdn = registry.requests.filter((r) => r.origin === 'blobs');
    expect(cdn.length).toBe(1);
    expect(cdn.every((r) => r.authorization === undefined && r.status === 200)).toBe(true);
    // The registry itself did get them: the redirect is what stripped them.
    expect(
      registry.requests.some((r) => r.origin === 'registry' && r.path.includes('/blobs/') && r.authorization),
    ).toBe(true);
  });

  it.each([
    ['a private address, with credentials', 'https://10.0.0.1/token', creds],
    ['the metadata endpoint, with credentials', 'https://169.254.169.254/latest/meta-data/token', creds],
    ['a private address, anonymously', 'http://10.0.0.1/token', { insecure: true }],
  ])('refuses a token realm at %s, under the cloud policy', async (_what, realm, access) => {
    const { registry, source } = await setup(
      { auth: { scheme: 'bearer', username: 'ci', password: 'hunter2', realm } },
      (r) => ({ publicOnly: true, allowed: [r.origin], allowSetting: 'SLUICE_ALLOWED_SOURCE_HOSTS' }),
    );
    const err = await rejectionOf(source.fetch({ url: registry.url('fleet'), ref: { tag: 'v1' }, access }));
    expect(err.code).toBe('SourceAddressRefused');
    expect(err.message).not.toContain('hunter2');
  });

  it('never puts credentials in an error message', async () => {
    const { registry, source } = await setup({
      auth: { scheme: 'bearer', username: 'ci', password: 'right' },
    });
    const err = await rejectionOf(
      source.fetch({ url: registry.url('fleet'), ref: { tag: 'v1' }, access: creds }),
    );
    expect(err.code).toBe('SourceAuthFailed');
    expect(`${err.message} ${String(err.cause ?? '')}`).not.toMatch(/hunter2|Y2k6aHVudGVyMg/);
  });
});

describe('OCI sources: hostile content', () => {
  it('refuses a layer with a ../ entry and writes nothing outside the cache', async () => {
    const { registry, source, root } = await setup();
    const data = Buffer.from('owned\n');
    const tar = Buffer.concat([
      encodeHeader({ name: '../escape.yaml', typeflag: '0', size: data.length, mode: 0o644 }),
      data,
      Buffer.alloc(512 - data.length),
      Buffer.alloc(1024),
    ]);
    await pushArtifact(registry.origin, 'fleet', 'evil', [
      { mediaType: FLUX_CONTENT_TYPE, bytes: gzipSync(tar) },
    ]);
    const err = await rejectionOf(
      source.fetch({ url: registry.url('fleet'), ref: { tag: 'evil' }, access: { insecure: true } }),
    );
    expect(err.code).toBe('ArchiveRejected');
    expect(await readdir(root)).toEqual(['cache']);
    expect(await readdir(join(root, 'cache', 'snapshots'))).toEqual([]);
  });

  it('refuses a decompression bomb at the archive limit', async () => {
    const { registry, source } = await setup({}, undefined, { archive: { maxTotalBytes: MiB } });
    const zeros = Buffer.alloc(16 * MiB);
    const tar = Buffer.concat([
      encodeHeader({ name: 'bomb.yaml', typeflag: '0', size: zeros.length, mode: 0o644 }),
      zeros,
      Buffer.alloc(1024),
    ]);
    await pushArtifact(registry.origin, 'fleet', 'bomb', [
      { mediaType: FLUX_CONTENT_TYPE, bytes: gzipSync(tar) },
    ]);
    const err = await rejectionOf(
      source.fetch({ url: registry.url('fleet'), ref: { tag: 'bomb' }, access: { insecure: true } }),
    );
    expect(err.code).toBe('LimitExceeded');
  });

  it('refuses a manifest over 4 MiB', async () => {
    const { registry, source } = await setup();
    registry.serveOversizedManifest('fleet', 'huge', 5 * MiB);
    const err = await rejectionOf(
      source.fetch({ url: registry.url('fleet'), ref: { tag: 'huge' }, access: { insecure: true } }),
    );
    expect(err.code).toBe('LimitExceeded');
  });

  it('refuses a layer over the layer limit without downloading it', async () => {
    const { registry, source } = await setup({}, undefined, { maxLayerBytes: 1024 });
    await pushArtifact(registry.origin, 'fleet', 'big', [
      { mediaType: FLUX_CONTENT_TYPE, bytes: Buffer.alloc(4096, 1) },
    ]);
    registry.requests.length = 0;
    const err = await rejectionOf(
      source.fetch({ url: registry.url('fleet'), ref: { tag: 'big' }, access: { insecure: true } }),
    );
    expect(err.code).toBe('LimitExceeded');
    expect(registry.requests.some((r) => r.path.includes('/blobs/'))).toBe(false);
  });

  it('refuses a blob longer than its descriptor says', async () => {
    const { registry, source } = await setup();
    const blob = registry.putBlob('fleet', Buffer.alloc(64 * 1024, 7));
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.cncf.flux.config.v1+json',
        digest: registry.putBlob('fleet', Buffer.from('{}')),
        size: 2,
      },
      layers: [{ mediaType: FLUX_CONTENT_TYPE, digest: blob, size: 100 }],
    };
    registry.putManifest('fleet', Buffer.from(JSON.stringify(manifest)), manifest.mediaType, 'liar');
    const err = await rejectionOf(
      source.fetch({ url: registry.url('fleet'), ref: { tag: 'liar' }, access: { insecure: true } }),
    );
    expect(err.code).toBe('SourceFetchFailed');
    expect(err.message).toContain(blob);
  });
});
