// Server-side apply: merges an applied configuration into the live object (maps recursively, lists
// atomically), removes fields the manager stopped applying, and detects/forces ownership conflicts.

import {
  type FieldPath,
  type FieldScope,
  formatPath,
  managedLeafPaths,
  overlaps,
  pathKey,
} from './field-paths.ts';
import { clone, deepEqual, deleteAt, getAt, isMap, type JsonMap, mergeInto } from './json.ts';
import { findEntry, type Ownership, pathMap, readOwnership } from './managed-fields.ts';
import { ApiError } from './status.ts';
import { type KubeObject, timestamp } from './types.ts';

export interface ApplyInput {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  scope: FieldScope;
  subresource?: string;
}

export interface ApplyOutput {
  object: KubeObject;
  ownership: Ownership[];
}

interface Conflict {
  manager: string;
  apiVersion: string;
  path: FieldPath;
}

/** The part of the applied configuration a write in `scope` may set (server-owned metadata removed). */
function applicablePart(applied: KubeObject, scope: FieldScope): JsonMap {
  const part: JsonMap = clone(applied);
  const metadata = isMap(part.metadata) ? part.metadata : {};
  for (const key of [
    'uid',
    'creationTimestamp',
    'generation',
    'managedFields',
    'deletionTimestamp',
    'selfLink',
  ]) {
    delete metadata[key];
  }
  if (scope === 'main') delete part.status;
  if (scope === 'status') {
    return {
      apiVersion: part.apiVersion,
      kind: part.kind,
      ...(part.status === undefined ? {} : { status: part.status }),
    };
  }
  return part;
}

function conflictError(conflicts: Conflict[]): ApiError {
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c]);
  const parts = [...byManager].map(([manager, list]) => {
    const using = `"${manager}" using ${list[0]?.apiVersion}`;
    if (list.length === 1) return `conflict with ${using}: ${formatPath(list[0]?.path ?? [])}`;
    return `conflicts with ${using}:\n${list.map((c) => `- ${formatPath(c.path)}`).join('\n')}`;
  });
  const n = conflicts.length;
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`;
  return new ApiError(409, message, 'Conflict', {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}" using ${c.apiVersion}`,
      field: formatPath(c.path),
    })),
  });
}

export function serverSideApply(input: ApplyInput): ApplyOutput {
  const { live, applied, manager, scope } = input;
  const ownership = readOwnership(live).map((o) => ({ ...o, paths: new Map(o.paths) }));
  const newPaths = managedLeafPaths(applied, scope);
  const mine = findEntry(ownership, manager, 'Apply', input.subresource);
  const others = ownership.filter((o) => o.manager !== manager);
  const result: KubeObject = live
    ? clone(live)
    : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };

  // 1. Fields this manager applied before but no longer applies go away, unless someone else also owns them.
  const ownedByOthers = (p: readonly string[]) =>
    others.some((o) => [...o.paths.values()].some((q) => overlaps(p, q)));
  const ownedExactly = (p: readonly string[]) =>
    ownership.some((o) => o.paths.has(pathKey(p))) || newPaths.some((q) => pathKey(q) === pathKey(p));
  for (const path of mine?.paths.values() ?? []) {
    if (newPaths.some((p) => overlaps(p, path)) || ownedByOthers(path)) continue;
    deleteAt(result, path, ownedExactly);
  }

  // 2. Merge the applied configuration.
  mergeInto(result, applicablePart(applied, scope));

  // 3. Fields of other managers whose value this apply changes are conflicts.
  const conflicts: Conflict[] = [];
  for (const other of others) {
    for (const path of other.paths.values()) {
      if (!newPaths.some((p) => overlaps(p, path))) continue;
      if (deepEqual(getAt(live, path), getAt(result, path))) continue;
      conflicts.push({ manager: other.manager, apiVersion: other.apiVersion, path });
    }
  }
  if (conflicts.length > 0 && !input.force) throw conflictError(conflicts);
  for (const c of conflicts) {
    for (const other of others) if (other.manager === c.manager) other.paths.delete(pathKey(c.path));
  }

  // 4. This manager now owns exactly what it applied.
  const entry: Ownership = mine ?? {
    manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    time: '',
    paths: new Map(),
    ...(input.subresource ? { subresource: input.subresource } : {}),
  };
  if (!mine) ownership.push(entry);
  entry.paths = pathMap(newPaths);
  entry.apiVersion = applied.apiVersion;
  entry.time = timestamp();
  return { object: result, ownership };
}
