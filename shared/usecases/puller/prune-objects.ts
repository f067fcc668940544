// Deletes what the previous inventory had and the new one does not, but only objects that carry this
// Kustomization's owner labels and are not opted out of pruning; anything that fails to delete stays in
// the inventory so a later run tries again.

import { compareForApply } from '../../core/apply/apply-order.ts';
import { type InventoryEntry, parseObjectId } from '../../core/apply/inventory.ts';
import { describeRef } from '../../core/apply/object-ref.ts';
import { RELEASE_NAME_ANNOTATION, RELEASE_NAMESPACE_ANNOTATION } from '../../core/helm/helm-ownership.ts';
import type { ObjectKey } from '../../core/pipeline/state-keys.ts';
import { OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from '../../core/render/owner-labels.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import type { ObjectRef } from '../../ports/cluster-api.ts';
import type { PullerDeps } from './puller-deps.ts';

export interface PruneOutcome {
  pruned: number;
  /** What was deleted, in order: a WaitForTermination removal waits for these to be gone. */
  deleted: ObjectRef[];
  kept: InventoryEntry[];
  errors: string[];
}

/** Whether a live object is the owner's to delete, from its labels and annotations. */
export type Owns = (meta: { labels: Record<string, string>; annotations: Record<string, string> }) => boolean;

/** A HelmRelease's objects carry Helm's ownership annotations, as helm install writes them. */
export function helmReleaseOwns(release: { releaseName: string; namespace: string }): Owns {
  return ({ annotations }) =>
    annotations[RELEASE_NAME_ANNOTATION] === release.releaseName &&
    annotations[RELEASE_NAMESPACE_ANNOTATION] === release.namespace;
}

export async function pruneObjects(
  deps: PullerDeps,
  owner: ObjectKey,
  stale: InventoryEntry[],
  owns?: Owns,
): Promise<PruneOutcome> {
  const outcome: PruneOutcome = { pruned: 0, deleted: [], kept: [], errors: [] };
  // Flux deletes stale objects in apply order (its inventory diff is sorted with the apply sort).
  const ordered = [...stale].sort((a, b) => compareForApply(asObject(a), asObject(b)));
  for (const entry of ordered) {
    const id = parseObjectId(entry);
    const ref = {
      apiVersion: id.apiVersion,
      kind: id.kind,
      name: id.name,
      ...(id.namespace && { namespace: id.namespace }),
    };
    try {
      const live = await deps.kube.get(ref);
      if (!live) continue;
      const meta = (live.metadata ?? {}) as {
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
      };
      const labels = meta.labels ?? {};
      const owned = owns
        ? owns({ labels, annotations: meta.annotations ?? {} })
        : labels[OWNER_NAME_LABEL] === owner.name && labels[OWNER_NAMESPACE_LABEL] === owner.namespace;
      const optedOut = optedOutOfPrune(labels, meta.annotations ?? {}, owns === undefined);
      if (!owned || optedOut) continue; // never delete what this Kustomization does not own
      await deps.kube.delete(ref);
      outcome.pruned++;
      outcome.deleted.push(ref);
    } catch (err) {
      outcome.kept.push(entry);
      // The Kubernetes API's errors name the object already.
      const message = (err as Error).message;
      outcome.errors.push(message.startsWith(describeRef(ref)) ? message : `${describeRef(ref)}: ${message}`);
    }
  }
  return outcome;
}

/**
 * Flux's delete exclusions (kustomize-controller deleteObjects, matched by ssa.AnyInMetadata): a label or an
 * annotation, either one, case-insensitively. A Kustomization's objects marked `ssa: Ignore` are never
 * applied by Flux, so never deleted either; a HelmRelease's keep the opt-outs they had before.
 */
function optedOutOfPrune(
  labels: Record<string, string>,
  annotations: Record<string, string>,
  kustomization: boolean,
): boolean {
  const exclusions: [string, string][] = [
    ['kustomize.toolkit.fluxcd.io/prune', 'disabled'],
    ['kustomize.toolkit.fluxcd.io/reconcile', 'disabled'],
    ...(kustomization ? [['kustomize.toolkit.fluxcd.io/ssa', 'ignore'] as [string, string]] : []),
  ];
  return exclusions.some(([key, value]) =>
    [labels[key], annotations[key]].some((v) => v !== undefined && v.toLowerCase() === value),
  );
}

function asObject(entry: InventoryEntry): KubeObject {
  const id = parseObjectId(entry);
  return { apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, namespace: id.namespace } };
}
