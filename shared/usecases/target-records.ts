// The records kept per target (index entry, render status, apply status): read at the target's key or,
// for a Kustomization, where versions before targets kept it; written only at the target's key, with
// its schema version. Every read is checked (record-codec.ts): a record that is not one is a typed error.
import type { ApplyReport } from '../core/pipeline/jobs.ts';
import { decodeRecord, encodeRecord, type RecordSchema } from '../core/pipeline/record-codec.ts';
import type { IndexEntry, RenderStatus } from '../core/pipeline/records.ts';
import { legacyKeys, stateKeys, targetFromPath } from '../core/pipeline/state-keys.ts';
import { type Target, targetKey } from '../core/pipeline/target.ts';
import {
  applyStatusSchema,
  indexEntrySchema,
  renderStatusSchema,
} from '../core/pipeline/target-record-schemas.ts';
import type { ObjectStore } from '../ports/object-store.ts';

/** The record at `key`, else at `legacyKey`; its target is the one its key names, never what it claims. */
async function readTargetRecord<T>(
  store: ObjectStore,
  schema: RecordSchema<T>,
  target: Target,
  key: string,
  legacyKey: string | undefined,
): Promise<T | undefined> {
  let found = key;
  let body = await store.get(key);
  if (body === undefined && legacyKey !== undefined) {
    found = legacyKey;
    body = await store.get(legacyKey);
  }
  if (body === undefined) return undefined;
  const { kind, namespace, name } = target;
  return decodeRecord(schema, found, body.toString('utf8'), { target: { kind, namespace, name } });
}

const write = (store: ObjectStore, key: string, value: object) =>
  store.put(key, encodeRecord(value), 'application/json');

export const readIndexEntry = (store: ObjectStore, cluster: string, target: Target) =>
  readTargetRecord(
    store,
    indexEntrySchema,
    target,
    stateKeys.index(cluster, target),
    legacyKeys.index(cluster, target),
  );

export const writeIndexEntry = (store: ObjectStore, cluster: string, entry: IndexEntry) =>
  write(store, stateKeys.index(cluster, entry.target), entry);

export const readRenderStatus = (store: ObjectStore, cluster: string, target: Target) =>
  readTargetRecord(
    store,
    renderStatusSchema,
    target,
    stateKeys.renderStatus(cluster, target),
    legacyKeys.renderStatus(cluster, target),
  );

export const writeRenderStatus = (store: ObjectStore, cluster: string, status: RenderStatus) =>
  write(store, stateKeys.renderStatus(cluster, status.target), status);

/** Both keys: a render status left at the earlier key would show again once the new one is gone. */
export async function deleteRenderStatus(store: ObjectStore, cluster: string, target: Target): Promise<void> {
  await store.delete(stateKeys.renderStatus(cluster, target));
  const legacy = legacyKeys.renderStatus(cluster, target);
  if (legacy) await store.delete(legacy);
}

export const readApplyStatus = (store: ObjectStore, cluster: string, target: Target) =>
  readTargetRecord(
    store,
    applyStatusSchema,
    target,
    stateKeys.applyStatus(cluster, target),
    legacyKeys.applyStatus(cluster, target),
  );

export const writeApplyStatus = (store: ObjectStore, cluster: string, report: ApplyReport) =>
  write(store, stateKeys.applyStatus(cluster, report.target), report);

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
