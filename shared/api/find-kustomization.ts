// `flux build`'s way of picking the Kustomization out of a file: the first document of kind Kustomization
// with the given name whose namespace is the requested one or unset.
import { SluiceError } from '../core/errors.ts';
import { decodeResource, type FleetResource } from './decode-resource.ts';
import type { Kustomization } from './kustomization.ts';
import { parseManifests } from './parse-manifests.ts';

export interface FoundKustomization {
  ks: Kustomization;
  /** The namespace exactly as written in the file ('' when absent); flux build labels objects with it. */
  writtenNamespace: string;
  /** Every decodable object in the file, so ConfigMaps/Secrets beside it can feed substituteFrom. */
  others: FleetResource[];
  /** Deprecation notes when the object is written in an older Flux apiVersion, for stderr as flux build does. */
  notes: string[];
}

export function findKustomization(
  text: string,
  file: string,
  name: string,
  namespace: string,
): FoundKustomization {
  const docs = parseManifests(text, file);
  let found: FoundKustomization | undefined;
  const others: FleetResource[] = [];
  const notes: string[] = [];
  for (const doc of docs) {
    const meta = (doc.value.metadata ?? {}) as Record<string, unknown>;
    const written = typeof meta.namespace === 'string' ? meta.namespace : '';
    const isCandidate =
      !found &&
      typeof doc.value.apiVersion === 'string' &&
      doc.value.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') &&
      doc.value.kind === 'Kustomization' &&
      meta.name === name &&
      (written === '' || written === namespace);
    if (isCandidate) {
      const ks = decodeResource(
        { ...doc.value, metadata: { ...meta, namespace: written || namespace } },
        { file, document: doc.index },
        notes,
      ) as Kustomization;
      found = { ks, writtenNamespace: written, others, notes };
      continue;
    }
    try {
      others.push(decodeResource(doc.value, { file, document: doc.index }));
    } catch {
      // Other documents only matter as substituteFrom candidates; a bad one is reported if referenced.
    }
  }
  if (!found) {
    throw new SluiceError(
      'ReferenceNotFound',
      `failed find kustomization with name '${name}' and namespace '${namespace}' in file '${file}'`,
      { file },
    );
  }
  return found;
}
