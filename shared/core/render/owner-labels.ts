// Flux marks every object it applies with the Kustomization that owns it; pruning trusts only these labels.
// commonMetadata is stamped afterwards and wins on conflicts, as in kustomize-controller.
import type { KubeObject } from './yaml-codec.ts';

export const OWNER_NAME_LABEL = 'kustomize.toolkit.fluxcd.io/name';
export const OWNER_NAMESPACE_LABEL = 'kustomize.toolkit.fluxcd.io/namespace';

function metadataOf(obj: KubeObject): Record<string, unknown> {
  if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = {};
  return obj.metadata as Record<string, unknown>;
}

function mergeInto(obj: KubeObject, field: 'labels' | 'annotations', values: Record<string, string>): void {
  if (Object.keys(values).length === 0) return;
  const meta = metadataOf(obj);
  const current =
    typeof meta[field] === 'object' && meta[field] !== null ? (meta[field] as Record<string, unknown>) : {};
  meta[field] = { ...current, ...values };
}

export function setOwnerLabels(obj: KubeObject, owner: { name: string; namespace: string }): void {
  mergeInto(obj, 'labels', { [OWNER_NAME_LABEL]: owner.name, [OWNER_NAMESPACE_LABEL]: owner.namespace });
}

export function setCommonMetadata(
  obj: KubeObject,
  common: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined,
): void {
  mergeInto(obj, 'labels', common?.labels ?? {});
  mergeInto(obj, 'annotations', common?.annotations ?? {});
}
