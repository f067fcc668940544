// Use-case step: an ArtifactGenerator's artifact, composed from the stored snapshots of its input sources
// (verified on load, as a render loads them) by the copy plan of core/generator; no network. Each input
// records this artifact as its dependent, so an input's new revision composes it again.
import { SluiceError } from '../../core/errors.ts';
import { artifactRevision } from '../../core/generator/artifact-revision.ts';
import { isFleetSource } from '../../core/generator/generated-artifact.ts';
import { planArtifact } from '../../core/generator/plan-artifact.ts';
import type { SourceTree } from '../../core/generator/source-tree.ts';
import type { FetchState, GeneratorFetchFields } from '../../core/pipeline/records.ts';
import { loadSnapshot } from '../load-snapshot.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { stateOf } from '../state-store.ts';
import type { FetchContext } from './fetch-by-kind.ts';
import type { FetchOutcome } from './fetch-outcome.ts';

/** Bounds of one artifact: a snapshot's file count and bytes (archive limits), and source-watcher-sized copy lists. */
export const GENERATOR_LIMITS = {
  maxFiles: 10_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxCopyOperations: 100,
};

export async function composeArtifact(deps: PipelineDeps, ctx: FetchContext): Promise<FetchOutcome> {
  const fields = ctx.spec.generator as GeneratorFetchFields;
  const object = `ArtifactGenerator/${fields.namespace}/${fields.generator}`;
  const inputs = await loadInputs(deps, ctx, fields, object);
  const trees = new Map<string, SourceTree>();
  const dirs = new Map<string, string>();
  for (const [alias, input] of inputs) {
    dirs.set(alias, input.dir);
    trees.set(alias, await deps.sources.artifacts.list(input.dir));
  }
  let composed: { digest: string; dir: string };
  try {
    const plan = planArtifact(fields.artifact.copy, trees, GENERATOR_LIMITS, fields.field);
    composed = await deps.sources.artifacts.write(plan, dirs);
  } catch (err) {
    if (!(err instanceof SluiceError)) throw err;
    // Every refusal names the generator, then the field (`spec.artifacts[0].copy[1].from: ...`).
    throw new SluiceError(err.code, `${object}: ${err.message}`, {
      retryable: err.retryable,
      object,
      ...(err.field && { field: err.field }),
    });
  }
  const pinned = fields.artifact.revision && inputs.get(fields.artifact.revision.slice(1))?.state;
  const revision = artifactRevision(composed.digest, pinned ? revisionOf(pinned) : undefined);
  return {
    kind: 'snapshot',
    revision,
    // The revision, not the digest alone: a pinned revision moves with its source even when the files do not.
    identity: revision,
    snapshotDigest: composed.digest,
    dir: composed.dir,
    artifactDigest: composed.digest,
  };
}

interface Input {
  state: FetchState;
  dir: string;
}

async function loadInputs(
  deps: PipelineDeps,
  ctx: FetchContext,
  fields: GeneratorFetchFields,
  object: string,
): Promise<Map<string, Input>> {
  const state = stateOf(deps);
  const out = new Map<string, Input>();
  for (const source of fields.sources) {
    const field = `spec.sources[alias=${source.alias}]`;
    const what = `${source.kind} '${source.namespace}/${source.name}'`;
    // Flux's --no-cross-namespace-refs: a generator reads only its own namespace's sources.
    if (deps.settings.noCrossNamespaceRefs && source.namespace !== fields.namespace)
      throw new SluiceError(
        'AccessDenied',
        `${object}: ${field}: cross-namespace reference to ${what} is not allowed (no-cross-namespace-refs is on); move the source into namespace ${fields.namespace}`,
        { object, field },
      );
    const record =
      fields.fleetSourceKey && isFleetSource(source)
        ? { sourceKey: fields.fleetSourceKey }
        : await state.getClusterSource(fields.cluster, source, source.kind);
    if (record?.sourceKey === ctx.spec.sourceKey)
      throw new SluiceError(
        'ValidationFailed',
        `${object}: ${field}: ${what} is this artifact itself; remove it`,
        {
          object,
          field,
        },
      );
    const upstreamSpec = record && (await state.getFetchSpec(record.sourceKey));
    if (!record || !upstreamSpec)
      throw new SluiceError(
        'ReferenceNotFound',
        `${object}: ${field}: ${what} not found in cluster ${fields.cluster}; declare it in the fleet (it is looked for again when the generator composes)`,
        { retryable: true, object, field },
      );
    // Its new revisions compose this artifact again.
    await state.addDependent(record.sourceKey, ctx.spec.sourceKey);
    const upstream = await state.getFetchState(record.sourceKey);
    if (!upstream?.snapshotDigest) {
      const why = upstream?.error ? `: ${upstream.error.message}` : '; it is composed once it is';
      throw new SluiceError(
        'ReferenceNotFound',
        `${object}: ${field}: ${what} has not been fetched yet${why}`,
        {
          retryable: !upstream?.error,
          object,
          field,
        },
      );
    }
    out.set(source.alias, { state: upstream, dir: await loadSnapshot(deps, upstream, upstreamSpec, object) });
  }
  return out;
}

const revisionOf = (state: FetchState): string => state.revision ?? state.commit ?? '';
