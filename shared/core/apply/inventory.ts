// Inventory as Flux keeps it (FLUX-RENDER §5.4-5.5): entries `<namespace>_<name>_<group>_<kind>` plus the
// version; the stale set is what the previous inventory had and the new one does not (version ignored).
import type { KubeObject } from '../render/yaml-codec.ts';
import { groupOf } from './apply-order.ts';

export interface InventoryEntry {
  id: string;
  v: string;
}

export function objectId(obj: KubeObject): string {
  const m = (obj.metadata ?? {}) as Record<string, unknown>;
  const name = String(m.name ?? '').replaceAll(':', '__');
  return `${String(m.namespace ?? '')}_${name}_${groupOf(obj)}_${String(obj.kind ?? '')}`;
}

export function entryOf(obj: KubeObject): InventoryEntry {
  const apiVersion = String(obj.apiVersion ?? '');
  return {
    id: objectId(obj),
    v: apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion,
  };
}

export function inventoryOf(objects: readonly KubeObject[]): InventoryEntry[] {
  return objects.map(entryOf).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Entries of `previous` that `next` no longer has. */
export function staleEntries(
  previous: readonly InventoryEntry[],
  next: readonly InventoryEntry[],
): InventoryEntry[] {
  const keep = new Set(next.map((e) => e.id));
  return previous.filter((e) => !keep.has(e.id));
}

/** Back from an inventory id to what the API needs to find the object. */
export function parseObjectId(entry: InventoryEntry): {
  namespace: string;
  name: string;
  group: string;
  kind: string;
  apiVersion: string;
} {
  // Names may not contain '_', and colons were encoded as '__', so split from both ends.
  const parts = entry.id.split('_');
  const kind = parts.pop() ?? '';
  const group = parts.pop() ?? '';
  const namespace = parts.shift() ?? '';
  const name = parts.join('_').replaceAll('__', ':');
  return { namespace, name, group, kind, apiVersion: group ? `${group}/${entry.v}` : entry.v };
}
