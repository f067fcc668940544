// Which repository file declared each Flux object of a render, so an error about a child Kustomization
// names `clusters/dev/apps.yaml` instead of "output of" its parent. Read from kustomize's origin annotation.
import { normalizeInside } from '../paths/secure-join.ts';
import type { KubeObject } from './yaml-codec.ts';

/** kustomize's own annotation, written when `buildMetadata: [originAnnotations]` is set. */
export const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';
/** Sluice's note on a Flux object of a render (never shipped): its file, relative to the repository root. */
export const SOURCE_FILE_ANNOTATION = 'sluice.dev/source-file';

/** Flux's API groups: the toolkit's, and source-watcher's `source.extensions.fluxcd.io` (ArtifactGenerator). */
const FLUX_GROUP = /^[a-z0-9.-]+\.(toolkit|extensions)\.fluxcd\.io\//;

/**
 * Removes the origin annotation Sluice asked kustomize for (the shipped objects stay exactly as Flux renders
 * them) and, on a Flux object, keeps its file as SOURCE_FILE_ANNOTATION. `buildDir` is relative to the root.
 */
export function moveOriginToSourceFile(obj: KubeObject, buildDir: string): void {
  const meta = obj.metadata as { annotations?: Record<string, unknown> } | undefined;
  const annotations = meta?.annotations;
  if (!meta || !annotations || !(ORIGIN_ANNOTATION in annotations)) return;
  const origin = annotations[ORIGIN_ANNOTATION];
  delete annotations[ORIGIN_ANNOTATION];
  if (Object.keys(annotations).length === 0) delete meta.annotations;
  // A remote base's origin names a path in another repository (`repo:`): no file of this one.
  const local = typeof origin === 'string' && !/^repo:/m.test(origin);
  const path = local ? /^path: *(.+)$/m.exec(origin)?.[1]?.trim() : undefined;
  const file =
    path && !/^\w+:\/\//.test(path) ? normalizeInside(buildDir ? `${buildDir}/${path}` : path) : undefined;
  if (
    file &&
    (FLUX_GROUP.test(String(obj.apiVersion ?? '')) || isExpandedAtRender(obj) || isFluxInstance(obj))
  ) {
    meta.annotations = { ...meta.annotations, [SOURCE_FILE_ANNOTATION]: file };
  }
}

/** The file a Flux object came from (removing the note from a copy), or undefined when unknown. */
export function takeSourceFile(obj: KubeObject): { object: KubeObject; file: string | undefined } {
  const meta = obj.metadata as { annotations?: Record<string, unknown> } | undefined;
  const file = meta?.annotations?.[SOURCE_FILE_ANNOTATION];
  if (typeof file !== 'string') return { object: obj, file: undefined };
  const { [SOURCE_FILE_ANNOTATION]: _, ...rest } = meta?.annotations ?? {};
  const metadata = { ...meta };
  if (Object.keys(rest).length > 0) metadata.annotations = rest;
  else delete metadata.annotations;
  return { object: { ...obj, metadata }, file };
}

/** A FluxInstance is never shipped either: its file names it in the root's status (fleet/adopt-root.ts). */
function isFluxInstance(obj: KubeObject): boolean {
  return obj.kind === 'FluxInstance' && String(obj.apiVersion ?? '').startsWith('fluxcd.controlplane.io/');
}

/** The Flux Operator's ResourceSets and their input providers: expanded at render time, never shipped. */
function isExpandedAtRender(obj: KubeObject): boolean {
  return (
    String(obj.apiVersion ?? '').startsWith('fluxcd.controlplane.io/') &&
    (obj.kind === 'ResourceSet' || obj.kind === 'ResourceSetInputProvider')
  );
}
