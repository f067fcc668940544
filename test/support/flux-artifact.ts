// Builds OCI artifacts the way `flux push artifact` makes them (a Flux config blob, one gzipped tarball layer)
// and pushes them through the registry's HTTP API (upload session, PATCH, PUT ?digest=, manifest PUT).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { encodeHeader } from '../../shared/core/archive/tar-header.ts';
import type { OciRegistry } from './oci-registry.ts';

export const FLUX_CONFIG_TYPE = 'application/vnd.cncf.flux.config.v1+json';
export const FLUX_CONTENT_TYPE = 'application/vnd.cncf.flux.content.v1.tar+gzip';
export const OCI_MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

export interface ArtifactLayer {
  mediaType: string;
  bytes: Buffer;
}

export interface PushedArtifact {
  manifestDigest: string;
  manifest: Buffer;
  layers: { mediaType: string; digest: string; size: number }[];
}

/** A tar.gz of `files` (path → text); entries are written as given, so a test may name `../x`. */
export function tarGz(files: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    blocks.push(encodeHeader({ name, typeflag: '0', size: data.length, mode: 0o644 }), data);
    blocks.push(Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Uploads one blob in two chunks (POST, PATCH, PUT ?digest=), as distribution clients do. */
export async function uploadBlob(
  origin: string,
  repository: string,
  bytes: Buffer,
  headers: Record<string, string> = {},
): Promise<string> {
  const digest = digestOf(bytes);
  const start = await fetch(`${origin}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', origin);
  const half = Math.floor(bytes.length / 2);
  const patch = await fetch(location, { method: 'PATCH', body: bytes.subarray(0, half), headers });
  if (patch.status !== 202) throw new Error(`upload patch: HTTP ${patch.status}`);
  const next = new URL(patch.headers.get('location') ?? location.toString(), origin);
  next.searchParams.set('digest', digest);
  const put = await fetch(next, { method: 'PUT', body: bytes.subarray(half), headers });
  if (put.status !== 201) throw new Error(`upload put: HTTP ${put.status}`);
  return digest;
}

/** Pushes a Flux artifact (or any layers) and tags its manifest; returns what was pushed. */
export async function pushArtifact(
  origin: string,
  repository: string,
  tag: string,
  layers: ArtifactLayer[],
  opts: { headers?: Record<string, string>; annotations?: Record<string, string> } = {},
): Promise<PushedArtifact> {
  const headers = opts.headers ?? {};
  const config = Buffer.from('{}');
  const configDigest = await uploadBlob(origin, repository, config, headers);
  const pushed: PushedArtifact['layers'] = [];
  for (const layer of layers) {
    const digest = await uploadBlob(origin, repository, layer.bytes, headers);
    pushed.push({ mediaType: layer.mediaType, digest, size: layer.bytes.length });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_TYPE,
      config: { mediaType: FLUX_CONFIG_TYPE, digest: configDigest, size: config.length },
      layers: pushed,
      annotations: {
        'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
        'org.opencontainers.image.source': 'https://github.com/example/fleet',
        'org.opencontainers.image.revision': `main@sha1:${tag.padEnd(40, '0').slice(0, 40)}`,
        ...opts.annotations,
      },
    }),
  );
  const res = await fetch(`${origin}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { ...headers, 'content-type': OCI_MANIFEST_TYPE },
  });
  if (res.status !== 201) throw new Error(`manifest put: HTTP ${res.status}`);
  return { manifestDigest: digestOf(manifest), manifest, layers: pushed };
}

/** A Flux artifact of `files` under `tag`. */
export function pushFluxArtifact(
  origin: string,
  repository: string,
  tag: string,
  files: Record<string, string>,
  opts: { headers?: Record<string, string> } = {},
): Promise<PushedArtifact> {
  return pushArtifact(origin, repository, tag, [{ mediaType: FLUX_CONTENT_TYPE, bytes: tarGz(files) }], opts);
}

/**
 * A Flux artifact of one `layer` stored straight into the registry stand-in (no HTTP, so no auth to get past);
 * returns its manifest's digest.
 */
export function storeFluxArtifact(
  registry: Pick<OciRegistry, 'putBlob' | 'putManifest'>,
  repository: string,
  tag: string,
  layer: Buffer,
  annotations?: Record<string, string>,
): string {
  const config = Buffer.from('{}');
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_TYPE,
    config: {
      mediaType: FLUX_CONFIG_TYPE,
      digest: registry.putBlob(repository, config),
      size: config.length,
    },
    layers: [
      { mediaType: FLUX_CONTENT_TYPE, digest: registry.putBlob(repository, layer), size: layer.length },
    ],
    ...(annotations && { annotations }),
  };
  return registry.putManifest(repository, Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST_TYPE, tag);
}
