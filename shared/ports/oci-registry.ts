// Port: an OCI distribution registry (manifests, tags, blobs), and the OCIRepository artifact fetch over it.
import type { RemoteAccess } from './remote-access.ts';

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciManifest {
  mediaType?: string;
  artifactType?: string;
  config: OciDescriptor;
  layers: OciDescriptor[];
  annotations?: Record<string, string>;
}

export interface ResolvedManifest {
  /** `sha256:<hex>` of the manifest bytes as served. */
  digest: string;
  manifest: OciManifest;
}

/** `url` is always `oci://host[:port]/repository[/…]` (no tag). */
export interface OciRegistryClient {
  listTags(url: string, access: RemoteAccess): Promise<string[]>;
  /** `reference` is a tag or a `sha256:` digest. */
  resolve(url: string, reference: string, access: RemoteAccess): Promise<ResolvedManifest>;
  /** The blob, checked against its digest and bounded by `maxBytes`. */
  fetchBlob(url: string, descriptor: OciDescriptor, access: RemoteAccess, maxBytes: number): Promise<Buffer>;
}

export interface OciRef {
  tag?: string;
  semver?: string;
  semverFilter?: string;
  digest?: string;
}

export interface OciLayerSelector {
  mediaType?: string;
  operation?: 'extract' | 'copy';
}

export interface OciArtifactRequest {
  url: string;
  ref?: OciRef;
  layerSelector?: OciLayerSelector;
  /** OCIRepository spec.ignore (gitignore syntax), applied as Flux does to the extracted files. */
  ignore?: string;
  access: RemoteAccess;
  /** Manifest digest of the last successful fetch: when the ref still resolves there, nothing is downloaded. */
  lastDigest?: string;
}

export interface OciArtifactSnapshot {
  url: string;
  /** Flux's spelling: `<tag>@sha256:<hex>`, or `sha256:<hex>` for a digest ref. */
  revision: string;
  /** Manifest digest `sha256:<hex>`. */
  manifestDigest: string;
  /** Identity of the file set (manifest digest + layer selector + ignore rules), for render keys and directories. */
  digest: string;
  /** Absolute path of the materialised, read-only file set. */
  dir: string;
  /** False when the ref still resolves to lastDigest (then `dir` is the cached file set if present). */
  changed: boolean;
}

export interface OciArtifactSource {
  fetch(req: OciArtifactRequest): Promise<OciArtifactSnapshot>;
}
