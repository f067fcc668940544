// Flux's multi-tenancy lockdown (kustomize-controller `--no-cross-namespace-refs=true`): with the setting on,
// a Kustomization may only reference objects in its own namespace. Pure: the render job asks before rendering.
import type { Kustomization } from '../../api/kustomization.ts';
import { objectRef } from '../../api/object-meta.ts';
import { SluiceError } from '../errors.ts';

export interface CrossNamespaceRef {
  field: string;
  /** `Kind/namespace/name` of the object referenced. */
  target: string;
}

/**
 * Every reference of `ks` that leaves its namespace. `spec.sourceRef` is what Flux checks; `spec.dependsOn` is
 * checked too (stricter than kustomize-controller), so a tenant cannot wait on, or learn the state of, another
 * namespace's Kustomization. `postBuild.substituteFrom` and a GitRepository's `secretRef` have no namespace in
 * Flux's API: Sluice always reads them from the object's own namespace, with or without the setting.
 */
export function crossNamespaceRefs(ks: Kustomization): CrossNamespaceRef[] {
  const own = ks.metadata.namespace;
  const out: CrossNamespaceRef[] = [];
  const { sourceRef, dependsOn = [] } = ks.spec;
  if (sourceRef.namespace !== undefined && sourceRef.namespace !== own) {
    out.push({
      field: 'spec.sourceRef.namespace',
      target: `${sourceRef.kind}/${sourceRef.namespace}/${sourceRef.name}`,
    });
  }
  dependsOn.forEach((d, i) => {
    if (d.namespace !== undefined && d.namespace !== own) {
      out.push({
        field: `spec.dependsOn[${i}].namespace`,
        target: `Kustomization/${d.namespace}/${d.name}`,
      });
    }
  });
  return out;
}

/** Throws AccessDenied (permanent) naming the first offending field and the setting that forbids it. */
export function refuseCrossNamespaceRefs(ks: Kustomization): void {
  const refs = crossNamespaceRefs(ks);
  const first = refs[0];
  if (!first) return;
  const ref = objectRef('Kustomization', ks.metadata);
  const list = refs.map((r) => `${r.field}: ${r.target}`).join('; ');
  throw new SluiceError(
    'AccessDenied',
    `${ref}: cross-namespace references are blocked (setting noCrossNamespaceRefs is on): ${list}; reference only objects in namespace ${ks.metadata.namespace}`,
    { object: ref, field: first.field },
  );
}
