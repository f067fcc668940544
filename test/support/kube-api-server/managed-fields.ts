// Field ownership (metadata.managedFields): decoding entries into path sets, encoding them back, and
// recording which fields a non-apply write (create/update/patch) changed and therefore now owns.

import {
  type FieldPath,
  type FieldScope,
  fromFieldsV1,
  managedLeafPaths,
  overlaps,
  pathKey,
  toFieldsV1,
} from './field-paths.ts';
import { deepEqual, getAt } from './json.ts';
import { type KubeObject, type ManagedFieldsEntry, timestamp } from './types.ts';

export interface Ownership {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  paths: Map<string, FieldPath>;
}

export function pathMap(paths: Iterable<FieldPath>): Map<string, FieldPath> {
  return new Map([...paths].map((p) => [pathKey(p), p]));
}

export function readOwnership(obj: KubeObject | undefined): Ownership[] {
  const entries = obj?.metadata.managedFields;
  if (!Array.isArray(entries)) return [];
  return entries.map((e) => ({
    manager: String(e.manager ?? ''),
    operation: e.operation === 'Apply' ? 'Apply' : 'Update',
    apiVersion: String(e.apiVersion ?? obj?.apiVersion ?? ''),
    time: String(e.time ?? timestamp()),
    ...(e.subresource ? { subresource: String(e.subresource) } : {}),
    paths: pathMap(fromFieldsV1(e.fieldsV1)),
  }));
}

/** Writes ownership into `obj.metadata.managedFields`, dropping entries that own nothing. */
export function writeOwnership(obj: KubeObject, ownership: Ownership[]): void {
  const entries: ManagedFieldsEntry[] = ownership
    .filter((o) => o.paths.size > 0)
    .map((o) => ({
      manager: o.manager,
      operation: o.operation,
      apiVersion: o.apiVersion,
      time: o.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(o.paths.values()),
      ...(o.subresource ? { subresource: o.subresource } : {}),
    }));
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/** Drops owned paths that no longer exist in `obj`. */
export function dropVanished(ownership: Ownership[], obj: KubeObject): void {
  for (const entry of ownership) {
    for (const [key, path] of entry.paths) if (getAt(obj, path) === undefined) entry.paths.delete(key);
  }
}

export function findEntry(
  ownership: Ownership[],
  manager: string,
  operation: 'Apply' | 'Update',
  subresource: string | undefined,
): Ownership | undefined {
  return ownership.find(
    (o) =>
      o.manager === manager && o.operation === operation && (o.subresource ?? '') === (subresource ?? ''),
  );
}

/**
 * A non-apply write by `manager`: every managed leaf whose value changed between `before` and `after` moves
 * to the manager's Update entry (taken away from everyone else); vanished fields are forgotten.
 */
export function recordUpdate(
  ownership: Ownership[],
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  scope: FieldScope,
  subresource: string | undefined,
): Ownership[] {
  const changed = managedLeafPaths(after, scope).filter((p) => !deepEqual(getAt(before, p), getAt(after, p)));
  const next = ownership.map((o) => ({ ...o, paths: new Map(o.paths) }));
  let entry = findEntry(next, manager, 'Update', subresource);
  if (changed.length > 0) {
    for (const other of next) {
      if (other === entry) continue;
      for (const [key, path] of other.paths)
        if (changed.some((c) => overlaps(c, path))) other.paths.delete(key);
    }
    if (!entry) {
      entry = { manager, operation: 'Update', apiVersion: after.apiVersion, time: '', paths: new Map() };
      if (subresource) entry.subresource = subresource;
      next.push(entry);
    }
    for (const path of changed) entry.paths.set(pathKey(path), path);
    entry.time = timestamp();
    entry.apiVersion = after.apiVersion;
  }
  dropVanished(next, after);
  return next;
}
