// An ArtifactGenerator's artifacts as the cluster's sources: one ExternalArtifact `<namespace>/<name>` per
// spec.artifacts entry, each composed from the generator's inputs whenever one of them moves. Pure.
import type { ArtifactGenerator, GeneratorSource, OutputArtifact } from '../../api/artifact-generator.ts';
import type { ObjectMeta } from '../../api/object-meta.ts';

/**
 * source-watcher requeues a generator every hour besides reacting to its sources (GetRequeueAfter); here a
 * new input revision composes at once, and this interval only re-checks the inputs' stored snapshots.
 */
export const GENERATOR_INTERVAL_MS = 60 * 60 * 1000;

export interface GeneratedArtifact {
  kind: 'ExternalArtifact';
  metadata: ObjectMeta;
  spec: {
    intervalMs: number;
    suspend: boolean;
    /** The generator's name, in the artifact's namespace. */
    generator: string;
    sources: GeneratorSource[];
    artifact: OutputArtifact;
    /** `spec.artifacts[<i>]`: where errors point in the generator. */
    field: string;
    /** Set when an input is the fleet's own GitRepository (flux-system/flux-system): the fleet's source. */
    fleetSourceKey?: string;
  };
}

export function generatedArtifactsOf(generator: ArtifactGenerator): GeneratedArtifact[] {
  const { namespace, name } = generator.metadata;
  return generator.spec.artifacts.map((artifact, i) => ({
    kind: 'ExternalArtifact',
    metadata: { name: artifact.name, namespace, labels: {}, annotations: {} },
    spec: {
      intervalMs: GENERATOR_INTERVAL_MS,
      suspend: generator.suspended,
      generator: name,
      // Only the sources its copy operations and revisions name: another input moving changes nothing here.
      sources: generator.spec.sources.filter((s) => usesAlias(artifact, s.alias)),
      artifact,
      field: `spec.artifacts[${i}]`,
    },
  }));
}

/** The fleet's GitRepository is no cluster source record: an artifact reading it carries the fleet's key. */
export function withFleetSource(artifact: GeneratedArtifact, fleetSourceKey: string): GeneratedArtifact {
  const readsFleet = artifact.spec.sources.some(isFleetSource);
  return readsFleet ? { ...artifact, spec: { ...artifact.spec, fleetSourceKey } } : artifact;
}

export function isFleetSource(s: GeneratorSource): boolean {
  return s.kind === 'GitRepository' && s.namespace === 'flux-system' && s.name === 'flux-system';
}

function usesAlias(artifact: OutputArtifact, alias: string): boolean {
  const at = `@${alias}`;
  return (
    artifact.revision === at ||
    artifact.originRevision === at ||
    artifact.copy.some((op) => op.from === at || op.from.startsWith(`${at}/`))
  );
}
