// The generator side of sorting a render's output: an ArtifactGenerator becomes its ExternalArtifacts (sources
// of this cluster, never shipped); an ExternalArtifact written into the fleet has no producer here and is skipped.
import { ARTIFACT_GENERATOR_API } from '../../api/artifact-generator.ts';
import type { DecodedArtifactGenerator } from '../../api/artifact-generator-decode.ts';
import { decodeResource } from '../../api/decode-resource.ts';
import { objectRef } from '../../api/object-meta.ts';
import { takeSourceFile } from '../render/source-file.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import { type GeneratedArtifact, generatedArtifactsOf } from './generated-artifact.ts';

export interface GeneratorObjects {
  artifacts: GeneratedArtifact[];
  /** Generators with spec.pathPattern: their artifacts are discovered from a source's directories at registration. */
  discoveries: DiscoveringGenerator[];
  warnings: string[];
  /** `namespace/name` of each ExternalArtifact written into the fleet, reported once the render is read. */
  declaredExternal: { ref: string; key: string }[];
}

export type DiscoveringGenerator = DecodedArtifactGenerator & { pathPattern: string };

/** True when `obj` was taken (generator, or an ExternalArtifact object); it is then not shipped. */
export function takeGeneratorObject(
  obj: KubeObject,
  document: number,
  renderedBy: string,
  out: GeneratorObjects,
): boolean {
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  if (
    obj.kind === 'ExternalArtifact' &&
    String(obj.apiVersion ?? '').startsWith('source.toolkit.fluxcd.io/')
  ) {
    const key = `${meta.namespace ?? 'flux-system'}/${meta.name}`;
    out.declaredExternal.push({ ref: `ExternalArtifact/${key}`, key });
    return true;
  }
  if (
    obj.kind !== 'ArtifactGenerator' ||
    !String(obj.apiVersion ?? '').startsWith('source.extensions.fluxcd.io/')
  )
    return false;
  if (obj.apiVersion !== ARTIFACT_GENERATOR_API) {
    out.warnings.push(
      `${objectRef('ArtifactGenerator', { name: meta.name ?? '', namespace: meta.namespace ?? 'flux-system' })}: ${String(obj.apiVersion)} is not supported by Sluice; it was skipped (use ${ARTIFACT_GENERATOR_API})`,
    );
    return true;
  }
  const { object, file } = takeSourceFile(obj);
  const resource = decodeResource(
    object,
    file ? { file, document: 0 } : { file: `output of ${renderedBy}`, document },
    out.warnings,
  );
  if (resource.kind !== 'ArtifactGenerator') return true;
  if (resource.pathPattern) {
    out.discoveries.push(resource as DiscoveringGenerator);
    return true;
  }
  out.artifacts.push(...generatedArtifactsOf(resource));
  return true;
}

/** ExternalArtifacts the fleet declares itself: in Flux another controller writes them; Sluice has none. */
export function reportDeclaredExternal(out: GeneratorObjects): void {
  const generated = new Set(out.artifacts.map((a) => `${a.metadata.namespace}/${a.metadata.name}`));
  for (const { ref, key } of out.declaredExternal) {
    out.warnings.push(
      generated.has(key)
        ? `${ref}: skipped; the ArtifactGenerator of this render that produces it is its source in Sluice`
        : `${ref}: ExternalArtifacts written by a third-party controller are not supported by Sluice (it has no producer for them); the object was skipped. Produce it with an ArtifactGenerator, or point its users at a GitRepository, OCIRepository or Bucket`,
    );
  }
}
