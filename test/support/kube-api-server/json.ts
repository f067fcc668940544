// Plain-JSON value helpers shared by the kube-api-server stand-in: type guards, deep clone, deep equality
// and path-based get/delete on nested maps (lists are treated as atomic leaves).

export type JsonMap = Record<string, unknown>;

export function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    return keysA.length === keysB.length && keysA.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Value at `path` (map keys only), or undefined when any step is missing or not a map. */
export function getAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Sets `value` at `path`, creating intermediate maps (replacing non-map intermediates). */
export function setAt(root: JsonMap, path: readonly string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isMap(next)) node[key] = {};
    node = node[key] as JsonMap;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

/**
 * Deletes the value at `path`; then removes parent maps left empty by the deletion (never `root` itself, and
 * never a parent for which `keepParent(path)` says true).
 */
export function deleteAt(root: JsonMap, path: readonly string[], keepParent: (p: string[]) => boolean): void {
  const parents: JsonMap[] = [root];
  for (const key of path.slice(0, -1)) {
    const next = parents[parents.length - 1]?.[key];
    if (!isMap(next)) return;
    parents.push(next);
  }
  const last = path[path.length - 1];
  const holder = parents[parents.length - 1];
  if (last === undefined || !holder || !(last in holder)) return;
  delete holder[last];
  for (let depth = path.length - 1; depth >= 1; depth--) {
    const map = parents[depth];
    const grand = parents[depth - 1];
    const key = path[depth - 1];
    if (!map || !grand || key === undefined || Object.keys(map).length > 0) return;
    const parentPath = path.slice(0, depth);
    if (keepParent(parentPath) || parentPath.join('.') === 'metadata') return;
    delete grand[key];
  }
}

/** Recursive merge of `patch` into `target` in place: maps merge, everything else (lists too) replaces. */
export function mergeInto(target: JsonMap, patch: JsonMap): JsonMap {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) {
      delete target[key];
    } else if (isMap(value)) {
      const existing = target[key];
      target[key] = mergeInto(isMap(existing) ? existing : {}, value);
    } else {
      target[key] = clone(value);
    }
  }
  return target;
}
