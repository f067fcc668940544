// source.extensions.fluxcd.io/v1beta1 ArtifactGenerator (Flux 2.7's source-watcher): the fields Sluice honours,
// as source-watcher defines them (api/v1beta1 artifactgenerator_types.go). Each artifact becomes an ExternalArtifact.
import type { CopyOperation } from '../core/generator/copy-operation.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

export const ARTIFACT_GENERATOR_API = 'source.extensions.fluxcd.io/v1beta1';

export const GENERATOR_SOURCE_KINDS = [
  'GitRepository',
  'OCIRepository',
  'Bucket',
  'HelmChart',
  'ExternalArtifact',
] as const;
export type GeneratorSourceKind = (typeof GENERATOR_SOURCE_KINDS)[number];

export interface GeneratorSource {
  alias: string;
  kind: GeneratorSourceKind;
  name: string;
  /** The generator's own namespace when not written. */
  namespace: string;
}

export interface OutputArtifact {
  name: string;
  /** `@alias`: the artifact's revision is that source's revision instead of `latest@<digest>`. */
  revision?: string;
  /** `@alias`: recorded as the artifact's origin revision (status only in Sluice). */
  originRevision?: string;
  copy: CopyOperation[];
}

export interface ArtifactGenerator {
  kind: 'ArtifactGenerator';
  apiVersion: typeof ARTIFACT_GENERATOR_API;
  metadata: ObjectMeta;
  spec: {
    sources: GeneratorSource[];
    artifacts: OutputArtifact[];
  };
  /** `source.extensions.fluxcd.io/reconcile: disabled`: its artifacts are not generated again. */
  suspended: boolean;
  source: SourceLocation;
}
