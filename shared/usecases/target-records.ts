// The records kept per target (index entry, render status, apply status): read at the target's key or,
// for a Kustomization, where versions before targets kept it; written only at the target's key.
import type { ApplyReport } from '../core/pipeline/jobs.ts';
import type { IndexEntry, RenderStatus } from '../core/pipeline/records.ts';
import { legacyKeys, stateKeys, targetFromPath } from '../core/pipeline/state-keys.ts';
import { type Target, targetKey } from '../core/pipeline/target.ts';
import { getJson, type ObjectStore, putJson } from '../ports/object-store.ts';

/**
 * The record at `key`, else at `legacyKey`. Its target is the one its key names (a record written before
 * targets carried `kustomization: {namespace, name}` instead), never what its content claims.
 */
async function readTargetRecord<T extends { target: Target }>(
  store: ObjectStore,
  target: Target,
  key: string,
  legacyKey: string | undefined,
): Promise<T | undefined> {
  const found =
    (await getJson<T & { kustomization?: unknown }>(store, key)) ??
    (legacyKey === undefined ? undefined : await getJson<T & { kustomization?: unknown }>(store, legacyKey));
  if (!found) return undefined;
  const { kustomization: _earlier, ...rest } = found;
  return { ...rest, target } as unknown as T;
}

export const readIndexEntry = (store: ObjectStore, cluster: string, target: Target) =>
  readTargetRecord<IndexEntry>(
    store,
    target,
    stateKeys.index(cluster, target),
    legacyKeys.index(cluster, target),
  );

export const writeIndexEntry = (store: ObjectStore, cluster: string, entry: IndexEntry) =>
  putJson(store, stateKeys.index(cluster, entry.target), entry);

export const readRenderStatus = (store: ObjectStore, cluster: string, target: Target) =>
  readTargetRecord<RenderStatus>(
    store,
    target,
    stateKeys.renderStatus(cluster, target),
    legacyKeys.renderStatus(cluster, target),
  );

export const writeRenderStatus = (store: ObjectStore, cluster: string, status: RenderStatus) =>
  putJson(store, stateKeys.renderStatus(cluster, status.target), status);

/** Both keys: a render status left at the earlier key would show again once the new one is gone. */
export async function deleteRenderStatus(store: ObjectStore, cluster: string, target: Target): Promise<void> {
  await store.delete(stateKeys.renderStatus(cluster, target));
  const legacy = legacyKeys.renderStatus(cluster, target);
  if (legacy) await store.delete(legacy);
}

export const readApplyStatus = (store: ObjectStore, cluster: string, target: Target) =>
  readTargetRecord<ApplyReport>(
    store,
    target,
    stateKeys.applyStatus(cluster, target),
    legacyKeys.applyStatus(cluster, target),
  );

export const writeApplyStatus = (store: ObjectStore, cluster: string, report: ApplyReport) =>
  putJson(store, stateKeys.applyStatus(cluster, report.target), report);

/** Every target with an index entry in this cluster (in either layout), each once, in listing order. */
export async function listIndexedTargets(store: ObjectStore, cluster: string): Promise<Target[]> {
  const prefix = stateKeys.indexes(cluster);
  const targets = new Map<string, Target>();
  for (const path of await store.list(prefix)) {
    const target = targetFromPath(path, prefix);
    if (target) targets.set(targetKey(target), target);
  }
  return [...targets.values()];
}
