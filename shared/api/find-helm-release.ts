// Picks a HelmRelease out of a multi-document file the way findKustomization picks a Kustomization: the first
// HelmRelease with the given name whose namespace is the requested one or unset; the rest feed valuesFrom.
import { SluiceError } from '../core/errors.ts';
import { decodeResource, type FleetResource } from './decode-resource.ts';
import type { HelmRelease } from './helm-release.ts';
import { parseManifests } from './parse-manifests.ts';

export interface FoundHelmRelease {
  hr: HelmRelease;
  /** Every other decodable object in the file, so ConfigMaps/Secrets beside it can feed valuesFrom. */
  others: FleetResource[];
  /** Deprecation notes when the object is written in an older Flux apiVersion, for stderr as flux build does. */
  notes: string[];
}

export function findHelmRelease(
  text: string,
  file: string,
  name: string,
  namespace: string,
): FoundHelmRelease {
  const docs = parseManifests(text, file);
  let hr: HelmRelease | undefined;
  const present: string[] = [];
  const others: FleetResource[] = [];
  const notes: string[] = [];
  for (const doc of docs) {
    const meta = (doc.value.metadata ?? {}) as Record<string, unknown>;
    const written = typeof meta.namespace === 'string' ? meta.namespace : '';
    const isHelmRelease =
      typeof doc.value.apiVersion === 'string' &&
      doc.value.apiVersion.startsWith('helm.toolkit.fluxcd.io/') &&
      doc.value.kind === 'HelmRelease';
    if (isHelmRelease) present.push(`${written || namespace}/${String(meta.name ?? '')}`);
    if (isHelmRelease && !hr && meta.name === name && (written === '' || written === namespace)) {
      hr = decodeResource(
        { ...doc.value, metadata: { ...meta, namespace: written || namespace } },
        { file, document: doc.index },
        notes,
      ) as HelmRelease;
      continue;
    }
    try {
      others.push(decodeResource(doc.value, { file, document: doc.index }));
    } catch {
      // Other documents only matter as valuesFrom candidates; a bad one is reported if referenced.
    }
  }
  if (!hr) {
    const holds = present.length > 0 ? `it holds ${present.join(', ')}` : 'it holds no HelmRelease';
    throw new SluiceError(
      'ReferenceNotFound',
      `HelmRelease '${name}' in namespace '${namespace}' not found in file '${file}' (${holds}); check the name, or pass --namespace with the HelmRelease's namespace`,
      { file },
    );
  }
  return { hr, others, notes };
}
