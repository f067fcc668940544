// What `helm install` does to a release's objects before it applies them (action/validate.go
// setMetadataVisitor, kube client Build): the managed-by label and release annotations merged in, and
// namespaced objects without a namespace put in the release namespace.
import type { KubeObject } from '../render/yaml-codec.ts';
import { isClusterScoped } from './cluster-scoped-kinds.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';

export interface ReleaseIdentity {
  releaseName: string;
  namespace: string;
}

function metadataOf(obj: KubeObject): Record<string, unknown> {
  const meta = obj.metadata;
  return meta && typeof meta === 'object' ? { ...(meta as Record<string, unknown>) } : {};
}

function stringMap(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** A copy in the release namespace when it is namespaced and names none (Helm's DefaultNamespace). */
export function inReleaseNamespace(
  obj: KubeObject,
  namespace: string,
  clusterScopedCrds: ReadonlySet<string>,
): KubeObject {
  const meta = metadataOf(obj);
  if (
    (typeof meta.namespace === 'string' && meta.namespace !== '') ||
    isClusterScoped(obj, clusterScopedCrds)
  )
    return obj;
  return { ...obj, metadata: { ...meta, namespace } };
}

/** A copy carrying Helm's ownership metadata; Helm's values win over the chart's (mergeStrStrMaps). */
export function withOwnership(obj: KubeObject, release: ReleaseIdentity): KubeObject {
  const meta = metadataOf(obj);
  return {
    ...obj,
    metadata: {
      ...meta,
      labels: { ...stringMap(meta.labels), [MANAGED_BY_LABEL]: 'Helm' },
      annotations: {
        ...stringMap(meta.annotations),
        [RELEASE_NAME_ANNOTATION]: release.releaseName,
        [RELEASE_NAMESPACE_ANNOTATION]: release.namespace,
      },
    },
  };
}

/** Helm's builder flattens `kind: *List` documents into their items before applying them. */
export function flattenLists(objects: readonly KubeObject[]): KubeObject[] {
  return objects.flatMap((obj) =>
    String(obj.kind ?? '').endsWith('List') && Array.isArray(obj.items)
      ? flattenLists(obj.items.filter((i): i is KubeObject => !!i && typeof i === 'object'))
      : [obj],
  );
}
