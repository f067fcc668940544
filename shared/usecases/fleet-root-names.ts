// Which names a cluster's root was registered under: the current ones, and those it was renamed from. A
// child of a former root is the new root's to take over (register-children.ts), as nobody else declares it.

import { storePrefixes } from '../core/pipeline/resource-names.ts';
import type { ObjectKey } from '../core/pipeline/state-keys.ts';
import { getJson, type ObjectStore, putJson } from '../ports/object-store.ts';

export interface FleetRootNames extends ObjectKey {
  /** Earlier names, newest last; a few are kept, a rename back and forth does not grow it. */
  former?: ObjectKey[];
}

const KEPT = 8;

// Beside the cluster's sources by name (one path segment: no `<namespace>/<name>` source is named so).
export const rootNamesKey = (cluster: string) => `${storePrefixes.sources(cluster)}fleet-root.json`;

export function readRootNames(store: ObjectStore, cluster: string): Promise<FleetRootNames | undefined> {
  return getJson<FleetRootNames>(store, rootNamesKey(cluster));
}

/** Records the root's names; the previous ones, when different, become former names. */
export async function writeRootNames(
  store: ObjectStore,
  cluster: string,
  root: ObjectKey,
  last: FleetRootNames | undefined,
): Promise<void> {
  const same = (a: ObjectKey, b: ObjectKey) => a.name === b.name && a.namespace === b.namespace;
  const former = [...(last?.former ?? []), ...(last && !same(last, root) ? [last] : [])]
    .map(({ namespace, name }) => ({ namespace, name }))
    .filter((k, i, all) => !same(k, root) && all.findIndex((o) => same(o, k)) === i)
    .slice(-KEPT);
  await putJson(store, rootNamesKey(cluster), {
    namespace: root.namespace,
    name: root.name,
    ...(former.length > 0 && { former }),
  });
}

/** Whether `parent` is a name this cluster's root had before it was renamed. */
export async function isFormerRoot(store: ObjectStore, cluster: string, parent: ObjectKey): Promise<boolean> {
  const names = await readRootNames(store, cluster);
  return (names?.former ?? []).some((k) => k.name === parent.name && k.namespace === parent.namespace);
}
