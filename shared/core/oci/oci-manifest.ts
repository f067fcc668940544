// Reads a manifest document a registry served: an image manifest (OCI or Docker v2) or an index (OCI index,
// Docker manifest list), with every descriptor checked, since a registry is untrusted input.
import type { OciDescriptor, OciManifest } from '../../ports/oci-registry.ts';
import { SluiceError } from '../errors.ts';
import { isSha256Digest } from './oci-url.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

const MANIFEST_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);

/** The Accept header of a manifest request: every type read here. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST].join(', ');

export interface IndexEntry {
  digest: string;
  mediaType: string;
  /** `os/architecture[/variant]`, or `unknown` when the entry names none. */
  platform: string;
}

export type ManifestDocument =
  | { kind: 'manifest'; manifest: OciManifest }
  | { kind: 'index'; entries: IndexEntry[] };

/** `what` names the manifest in errors (`oci://host/repo:tag`). */
export function parseManifestDocument(
  bytes: Buffer,
  contentType: string | undefined,
  what: string,
): ManifestDocument {
  const unusable = (why: string): never => {
    throw new SluiceError('SourceFetchFailed', `${what} is not a usable OCI manifest: ${why}`, {
      field: 'spec.url',
    });
  };
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return unusable('it is not JSON');
  }
  if (!isObject(doc)) return unusable('it is not a JSON object');
  const headerType = contentType?.split(';')[0]?.trim().toLowerCase();
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  // The header wins when it names a manifest type; registries that answer application/json fall back
  // to the document's own mediaType, then to its shape (OCI makes mediaType optional).
  const type =
    headerType && (MANIFEST_TYPES.has(headerType) || INDEX_TYPES.has(headerType))
      ? headerType
      : (declared ?? (Array.isArray(doc.manifests) ? OCI_INDEX : OCI_MANIFEST));
  if (INDEX_TYPES.has(type)) {
    if (!Array.isArray(doc.manifests)) return unusable('the index has no manifests list');
    return { kind: 'index', entries: doc.manifests.map((m, i) => indexEntry(m, i, unusable)) };
  }
  if (!MANIFEST_TYPES.has(type)) return unusable(`media type ${type} is not an OCI or Docker v2 manifest`);
  if (!Array.isArray(doc.layers)) return unusable('it has no layers list');
  const manifest: OciManifest = {
    mediaType: type,
    config: descriptor(doc.config, 'config', unusable),
    layers: doc.layers.map((l, i) => descriptor(l, `layers[${i}]`, unusable)),
    ...(typeof doc.artifactType === 'string' && { artifactType: doc.artifactType }),
    ...(isStringMap(doc.annotations) && { annotations: doc.annotations }),
  };
  return { kind: 'manifest', manifest };
}

function descriptor(value: unknown, where: string, unusable: (why: string) => never): OciDescriptor {
  if (!isObject(value)) return unusable(`${where} is not a descriptor`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '') return unusable(`${where} has no mediaType`);
  if (typeof digest !== 'string' || !isSha256Digest(digest)) return unusable(`${where} has no sha256 digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    return unusable(`${where} has no valid size`);
  return {
    mediaType,
    digest,
    size,
    ...(isStringMap(value.annotations) && { annotations: value.annotations }),
  };
}

function indexEntry(value: unknown, i: number, unusable: (why: string) => never): IndexEntry {
  if (!isObject(value) || typeof value.digest !== 'string' || !isSha256Digest(value.digest)) {
    return unusable(`manifests[${i}] has no sha256 digest`);
  }
  const p = isObject(value.platform) ? value.platform : undefined;
  const platform = p
    ? [p.os, p.architecture, p.variant]
        .filter((x): x is string => typeof x === 'string' && x !== '')
        .join('/')
    : '';
  return {
    digest: value.digest,
    mediaType: typeof value.mediaType === 'string' ? value.mediaType : OCI_MANIFEST,
    platform: platform || 'unknown',
  };
}

/** Attestation manifests that buildx adds to an index describe the image; they are not a choice. */
export function isAttestation(entry: IndexEntry): boolean {
  return entry.platform === 'unknown/unknown';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}
