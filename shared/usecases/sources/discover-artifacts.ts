// Use-case step: the artifacts of ArtifactGenerators with spec.pathPattern, discovered from the directories
// of the source the pattern names (its stored snapshot, verified on load). The declaring Kustomization is
// subscribed to that source, so a new revision renders it again and the artifacts are discovered anew.
import { objectRef } from '../../api/object-meta.ts';
import { isSluiceError, SluiceError } from '../../core/errors.ts';
import {
  type GeneratedArtifact,
  generatedArtifactsOf,
  isFleetSource,
} from '../../core/generator/generated-artifact.ts';
import { discoverArtifacts, parsePathPattern } from '../../core/generator/path-pattern.ts';
import type { DiscoveringGenerator } from '../../core/generator/take-generator-object.ts';
import { sourceRefKey } from '../../core/pipeline/source-kind.ts';
import type { ObjectKey } from '../../core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../core/pipeline/target.ts';
import { loadSnapshot } from '../load-snapshot.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { stateOf } from '../state-store.ts';

export interface DiscoveryContext {
  deps: PipelineDeps;
  cluster: string;
  parentKey: ObjectKey;
  /** sourceRefKey → source key of what this render declared. */
  sources: ReadonlyMap<string, string>;
  fleetSourceKey: string;
  /** A generator that cannot be expanded is reported here (its parent still renders), as Flux stalls only it. */
  warnings: string[];
}

export async function discoverGeneratedArtifacts(
  ctx: DiscoveryContext,
  generators: readonly DiscoveringGenerator[],
): Promise<GeneratedArtifact[]> {
  const out: GeneratedArtifact[] = [];
  for (const generator of generators) {
    const ref = objectRef('ArtifactGenerator', generator.metadata);
    try {
      out.push(...(await discover(ctx, generator, ref)));
    } catch (err) {
      // A store or snapshot that is not there yet is worth a retry of the whole render; a bad pattern is not.
      if (!isSluiceError(err) || err.retryable) throw err;
      ctx.warnings.push(`${ref}: ${err.message}; its artifacts were not generated`);
    }
  }
  return out;
}

async function discover(
  ctx: DiscoveryContext,
  generator: DiscoveringGenerator,
  ref: string,
): Promise<GeneratedArtifact[]> {
  const { deps, cluster } = ctx;
  const state = stateOf(deps);
  const { alias } = parsePathPattern(generator.pathPattern);
  const source = generator.spec.sources.find((s) => s.alias === alias);
  if (!source)
    throw new SluiceError(
      'ValidationFailed',
      `spec.pathPattern: source alias '${alias}' not found in spec.sources`,
    );
  if (deps.settings.noCrossNamespaceRefs && source.namespace !== generator.metadata.namespace)
    throw new SluiceError(
      'AccessDenied',
      `spec.sources[alias=${alias}]: cross-namespace reference to ${source.kind} '${source.namespace}/${source.name}' is not allowed (no-cross-namespace-refs is on)`,
    );
  const sourceKey = isFleetSource(source)
    ? ctx.fleetSourceKey
    : (ctx.sources.get(sourceRefKey(source.kind, source)) ??
      (await state.getClusterSource(cluster, source, source.kind))?.sourceKey);
  if (!sourceKey) {
    ctx.warnings.push(
      `${ref}: spec.pathPattern: ${source.kind} '${source.namespace}/${source.name}' not found in cluster ${cluster}; its artifacts are discovered when this Kustomization renders after it is declared`,
    );
    return [];
  }
  // Its next revision renders the declaring Kustomization again: the directories may have changed.
  await state.subscribe(sourceKey, cluster, kustomizationTarget(ctx.parentKey));
  const fetched = await state.getFetchState(sourceKey);
  if (!fetched?.snapshotDigest) return [];
  const dir = await loadSnapshot(deps, fetched, await state.getFetchSpec(sourceKey), ref);
  const discovered = discoverArtifacts(
    generator.pathPattern,
    generator.spec.artifacts,
    await deps.sources.artifacts.list(dir),
  );
  return generatedArtifactsOf({
    ...generator,
    spec: { ...generator.spec, artifacts: discovered.map(({ labels: _labels, ...artifact }) => artifact) },
  });
}
