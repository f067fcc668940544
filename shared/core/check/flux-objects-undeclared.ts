// The Flux objects of a render that failed after kustomize built it: none was declared (the failure stops the
// render whole, as in Flux), but sluice check still names each, and which one the failure was about.
import { DEFAULT_NAMESPACE } from '../../api/object-meta.ts';
import { SOURCE_FILE_ANNOTATION } from '../render/source-file.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import { isFluxApiVersion } from './flux-api-version.ts';
import type { FluxObjectFound } from './flux-object-found.ts';

/** Who a Flux object of a render is (its file when the render knows it), or undefined for any other object. */
export function fluxObjectIdentity(
  obj: KubeObject,
): Pick<FluxObjectFound, 'apiVersion' | 'kind' | 'namespace' | 'name' | 'file'> | undefined {
  const apiVersion = String(obj.apiVersion ?? '');
  const meta = (obj.metadata ?? {}) as {
    name?: unknown;
    namespace?: unknown;
    labels?: Record<string, unknown>;
    annotations?: Record<string, unknown>;
  };
  // Flux's own install manifests (gotk-components.yaml) are reported once, as a warning, not per object.
  if (!isFluxApiVersion(apiVersion) || meta.labels?.['app.kubernetes.io/part-of'] === 'flux')
    return undefined;
  const file = meta.annotations?.[SOURCE_FILE_ANNOTATION];
  return {
    apiVersion,
    kind: String(obj.kind ?? ''),
    namespace: typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : DEFAULT_NAMESPACE,
    name: String(meta.name ?? ''),
    file: typeof file === 'string' ? file : '',
  };
}

export function fluxObjectsUndeclared(objects: readonly KubeObject[]): FluxObjectFound[] {
  const found: FluxObjectFound[] = [];
  for (const obj of objects) {
    const identity = fluxObjectIdentity(obj);
    if (identity) found.push({ ...identity, handling: 'undeclared', differences: [], notes: [] });
  }
  return found;
}
