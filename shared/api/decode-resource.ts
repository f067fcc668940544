// Turns one raw YAML object from the fleet into a typed resource: the Flux kinds Sluice reconciles,
// the ConfigMaps/Secrets they reference, or a plain manifest. Unknown Flux kinds are refused clearly.
import { SluiceError } from '../core/errors.ts';
import { ARTIFACT_GENERATOR_API } from './artifact-generator.ts';
import { type DecodedArtifactGenerator, decodeArtifactGenerator } from './artifact-generator-decode.ts';
import type { Bucket } from './bucket.ts';
import type { ConfigData } from './config-data.ts';
import { decodeBucket } from './decode-bucket.ts';
import { decodeGitRepository } from './decode-git-repository.ts';
import { decodeHelmChart } from './decode-helm-chart.ts';
import { decodeHelmRelease } from './decode-helm-release.ts';
import { decodeHelmRepository } from './decode-helm-repository.ts';
import { decodeKustomization } from './decode-kustomization.ts';
import { decodeOciRepository } from './decode-oci-repository.ts';
import { FieldReader, isRecord } from './field-reader.ts';
import type { GitRepository } from './git-repository.ts';
import type { HelmChart } from './helm-chart.ts';
import type { HelmRelease } from './helm-release.ts';
import type { HelmRepository } from './helm-repository.ts';
import type { Kustomization } from './kustomization.ts';
import {
  DEFAULT_NAMESPACE,
  describeLocation,
  type ObjectMeta,
  objectRef,
  type SourceLocation,
} from './object-meta.ts';
import type { OCIRepository } from './oci-repository.ts';
import { convertOlderApiVersion } from './older-api-versions.ts';

export interface Manifest {
  kind: 'Manifest';
  object: Record<string, unknown>;
  source: SourceLocation;
}

export type FleetResource =
  | GitRepository
  | HelmRepository
  | OCIRepository
  | HelmChart
  | Bucket
  | Kustomization
  | HelmRelease
  | ConfigData
  | DecodedArtifactGenerator
  | Manifest;

/** The Flux API versions and kinds Sluice understands today, for error messages and dispatch. */
export const SUPPORTED_FLUX_KINDS: Record<string, readonly string[]> = {
  'source.toolkit.fluxcd.io/v1': ['GitRepository', 'HelmRepository', 'OCIRepository', 'HelmChart', 'Bucket'],
  'kustomize.toolkit.fluxcd.io/v1': ['Kustomization'],
  'helm.toolkit.fluxcd.io/v2': ['HelmRelease'],
};

type FluxKind =
  | 'GitRepository'
  | 'HelmRepository'
  | 'OCIRepository'
  | 'HelmChart'
  | 'Bucket'
  | 'Kustomization'
  | 'HelmRelease';
type Decoder = (
  raw: Record<string, unknown>,
  metadata: ObjectMeta,
  source: SourceLocation,
  r: FieldReader,
) => FleetResource;
const FLUX_DECODERS: Record<FluxKind, Decoder> = {
  GitRepository: decodeGitRepository,
  HelmRepository: decodeHelmRepository,
  OCIRepository: decodeOciRepository,
  HelmChart: decodeHelmChart,
  Bucket: decodeBucket,
  Kustomization: decodeKustomization,
  HelmRelease: decodeHelmRelease,
};

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * `notes` receives a status line for each accepted older Flux apiVersion (converted to the current one, as
 * Flux did) and for each field that conversion dropped.
 */
export function decodeResource(
  written: Record<string, unknown>,
  source: SourceLocation,
  notes?: string[],
): FleetResource {
  const conversion = convertOlderApiVersion(written);
  if (conversion) notes?.push(...conversion.notes);
  const raw = conversion?.object ?? written;
  const where = describeLocation(source);
  const apiVersion = raw.apiVersion;
  const kind = raw.kind;
  if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
    throw new SluiceError(
      'InvalidManifest',
      `${where}: object has no ${typeof apiVersion === 'string' && apiVersion ? 'kind' : 'apiVersion'}; every document must set apiVersion and kind`,
      { file: source.file },
    );
  }
  const r = new FieldReader();
  const metadata = decodeMetadata(raw, r);
  const ref = objectRef(kind, metadata);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';

  let resource: FleetResource;
  if (group.endsWith('.toolkit.fluxcd.io')) {
    if (!SUPPORTED_FLUX_KINDS[apiVersion]?.includes(kind))
      throw unsupported(where, ref, apiVersion, kind, source);
    resource = FLUX_DECODERS[kind as FluxKind](raw, metadata, source, r);
  } else if (apiVersion === ARTIFACT_GENERATOR_API && kind === 'ArtifactGenerator') {
    resource = decodeArtifactGenerator(raw, metadata, source, r);
  } else if (apiVersion === 'v1' && (kind === 'ConfigMap' || kind === 'Secret')) {
    resource = { kind, metadata, data: decodeData(raw, kind, r), source };
  } else {
    resource = { kind: 'Manifest', object: raw, source };
  }
  throwIssues(r, source, ref);
  return resource;
}

function throwIssues(r: FieldReader, source: SourceLocation, ref: string): void {
  if (r.issues.length === 0) return;
  const list = r.issues.map((i) => `${i.field}: ${i.problem}`).join('; ');
  throw new SluiceError('ValidationFailed', `${describeLocation(source)}: ${ref}: ${list}`, {
    file: source.file,
    object: ref,
    field: r.issues[0]?.field,
  });
}

function decodeMetadata(raw: Record<string, unknown>, r: FieldReader): ObjectMeta {
  const meta = r.object(raw, 'metadata', 'metadata', true);
  const name = r.string(meta, 'name', 'metadata.name', { required: true, maxLength: 253 }) ?? '';
  if (name && !NAME_PATTERN.test(name)) {
    r.fail(
      'metadata.name',
      `expected a lowercase DNS-1123 name (a-z, 0-9, '-', '.'), got ${JSON.stringify(name)}`,
    );
  }
  return {
    name,
    namespace: r.string(meta, 'namespace', 'metadata.namespace') || DEFAULT_NAMESPACE,
    labels: r.stringMap(meta, 'labels', 'metadata.labels') ?? {},
    annotations: r.stringMap(meta, 'annotations', 'metadata.annotations') ?? {},
  };
}

function decodeData(
  raw: Record<string, unknown>,
  kind: 'ConfigMap' | 'Secret',
  r: FieldReader,
): Record<string, string> {
  if (kind === 'ConfigMap') return r.stringMap(raw, 'data', 'data') ?? {};
  const data = r.stringMap(raw, 'data', 'data', { secret: true }) ?? {};
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    const compact = value.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
      r.fail(`data.${key}`, 'expected base64-encoded bytes (put plain text under stringData instead)');
      continue;
    }
    decoded[key] = Buffer.from(compact, 'base64').toString('utf8');
  }
  // stringData wins over data, as the API server merges them.
  return { ...decoded, ...(r.stringMap(raw, 'stringData', 'stringData', { secret: true }) ?? {}) };
}

function unsupported(
  where: string,
  ref: string,
  apiVersion: string,
  kind: string,
  source: SourceLocation,
): SluiceError {
  const supported = Object.entries(SUPPORTED_FLUX_KINDS)
    .flatMap(([api, kinds]) => kinds.map((k) => `${api} ${k}`))
    .join(', ');
  return new SluiceError(
    'UnsupportedResource',
    `${where}: ${ref}: unsupported apiVersion/kind "${apiVersion}" ${kind}; Sluice understands ${supported}`,
    { file: source.file, object: ref },
  );
}

export { isRecord };
