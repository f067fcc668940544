// The identity of one Kubernetes object (apiVersion, kind, namespace, name) and how messages name it.
// Pure: shared by the puller's use-cases and the cluster adapter, so neither reaches into the other.
import type { ObjectRef } from '../../ports/cluster-api.ts';
import type { KubeObject } from '../render/yaml-codec.ts';

export function refOf(obj: KubeObject): ObjectRef {
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  return {
    apiVersion: String(obj.apiVersion ?? ''),
    kind: String(obj.kind ?? ''),
    name: String(meta.name ?? ''),
    ...(meta.namespace && { namespace: meta.namespace }),
  };
}

/** `Kind/namespace/name`, or `Kind/name` for a cluster-scoped object. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
