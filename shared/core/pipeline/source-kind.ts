// The Flux source kinds the fetch stage fetches, and how a cluster's source is named among its records:
// GitRepositories keep the `namespace/name` of earlier versions, other kinds carry their kind in front.
import type { ObjectKey } from './state-keys.ts';

export const SOURCE_KINDS = [
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
  // An ArtifactGenerator's output: composed from the cluster's other sources (core/generator).
  'ExternalArtifact',
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export function isSourceKind(value: unknown): value is SourceKind {
  return (SOURCE_KINDS as readonly unknown[]).includes(value);
}

/** A cluster source's reference in a parent's declarations: `ns/name` (Git) or `Kind/ns/name`. */
export function sourceRefKey(kind: SourceKind, k: ObjectKey): string {
  return kind === 'GitRepository' ? `${k.namespace}/${k.name}` : `${kind}/${k.namespace}/${k.name}`;
}

export function parseSourceRefKey(key: string): { kind: SourceKind; ref: ObjectKey } {
  const parts = key.split('/');
  if (parts.length === 3 && isSourceKind(parts[0]))
    return { kind: parts[0], ref: { namespace: parts[1] ?? '', name: parts[2] ?? '' } };
  return { kind: 'GitRepository', ref: { namespace: parts[0] ?? '', name: parts[1] ?? '' } };
}

/** `flux reconcile source <word>`'s word for each kind. */
export const SOURCE_WORDS: Record<string, SourceKind> = {
  git: 'GitRepository',
  oci: 'OCIRepository',
  helm: 'HelmRepository',
  chart: 'HelmChart',
  bucket: 'Bucket',
};
