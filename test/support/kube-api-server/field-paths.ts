// Field paths for ownership tracking: the leaf paths an object sets (maps are descended, lists are atomic
// leaves), which of them participate in field management, and conversion to/from the FieldsV1 encoding.

import { isMap, type JsonMap } from './json.ts';

export type FieldPath = string[];

/** Which part of an object a write may touch: the main resource (sans status if that is a subresource). */
export type FieldScope = 'main' | 'main+status' | 'status';

export function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

/** `.spec.selector.matchLabels.app` */
export function formatPath(path: readonly string[]): string {
  return path.map((p) => (/^[A-Za-z0-9_-]+$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('');
}

export function overlaps(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Paths of every non-null leaf: scalars, lists and empty maps. */
export function leafPaths(value: JsonMap, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (child === null || child === undefined) continue;
    const path = [...prefix, key];
    if (isMap(child) && Object.keys(child).length > 0) out.push(...leafPaths(child, path));
    else out.push(path);
  }
  return out;
}

const UNMANAGED = new Set(
  [
    ['apiVersion'],
    ['kind'],
    ['metadata', 'name'],
    ['metadata', 'namespace'],
    ['metadata', 'uid'],
    ['metadata', 'resourceVersion'],
    ['metadata', 'generation'],
    ['metadata', 'creationTimestamp'],
    ['metadata', 'deletionTimestamp'],
    ['metadata', 'deletionGracePeriodSeconds'],
    ['metadata', 'selfLink'],
    ['metadata', 'managedFields'],
  ].map(pathKey),
);

export function isManaged(path: readonly string[], scope: FieldScope): boolean {
  for (let n = 1; n <= path.length; n++) if (UNMANAGED.has(pathKey(path.slice(0, n)))) return false;
  const inStatus = path[0] === 'status';
  if (scope === 'status') return inStatus;
  if (scope === 'main') return !inStatus;
  return true;
}

/** Leaf paths of `obj` that field management tracks in the given scope. */
export function managedLeafPaths(obj: JsonMap, scope: FieldScope): FieldPath[] {
  return leafPaths(obj).filter((p) => isManaged(p, scope));
}

/** `{"f:data":{"f:a":{}}}`; a node that is owned itself and also has owned children gets a `".": {}` marker. */
export function toFieldsV1(paths: Iterable<readonly string[]>): JsonMap {
  const root: JsonMap = {};
  const sorted = [...paths].sort((a, b) => a.length - b.length);
  for (const path of sorted) {
    let node = root;
    for (const [index, key] of path.entries()) {
      const field = `f:${key}`;
      let child = node[field];
      if (!isMap(child)) {
        child = {};
        node[field] = child;
      } else if (Object.keys(child).length === 0 && index < path.length - 1) {
        child['.'] = {};
      }
      node = child as JsonMap;
    }
    if (Object.keys(node).length > 0) node['.'] = {};
  }
  return root;
}

/** Inverse of toFieldsV1. Associative-list keys (`k:`, `v:`, `i:`) are collapsed onto the list's own path. */
export function fromFieldsV1(fields: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isMap(fields)) return [];
  const keys = Object.keys(fields);
  if (keys.length === 0) return prefix.length ? [prefix] : [];
  const out: FieldPath[] = [];
  let ownsSelf = false;
  for (const key of keys) {
    if (key === '.') ownsSelf = true;
    else if (key.startsWith('f:')) out.push(...fromFieldsV1(fields[key], [...prefix, key.slice(2)]));
    else ownsSelf = true;
  }
  if (ownsSelf && prefix.length) out.unshift(prefix);
  return out;
}
