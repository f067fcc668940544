// In-memory object storage ("etcd"): objects keyed by group/plural/namespace/name, the global monotonic
// resourceVersion counter, and a bounded change history that watches replay and subscribe to.

import { clone } from './json.ts';
import type { ResourceType } from './resources.ts';
import type { KubeObject } from './types.ts';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  resourceVersion: number;
  group: string;
  plural: string;
  namespace: string;
  object: KubeObject;
}

const HISTORY_LIMIT = 1000;

function storageKey(group: string, plural: string, namespace: string, name: string): string {
  return JSON.stringify([group, plural, namespace, name]);
}

export class ObjectStore {
  #objects = new Map<string, KubeObject>();
  #revision = 1000;
  #history: StoreEvent[] = [];
  #listeners = new Set<(event: StoreEvent) => void>();

  /** Current (latest committed) resourceVersion. */
  get resourceVersion(): string {
    return String(this.#revision);
  }

  /** Oldest resourceVersion a watch can still resume from. */
  get oldestResumableVersion(): number {
    const first = this.#history[0];
    return first ? first.resourceVersion - 1 : this.#revision;
  }

  nextResourceVersion(): string {
    this.#revision += 1;
    return String(this.#revision);
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return clone(this.#objects.get(storageKey(type.group, type.plural, namespace, name)));
  }

  /** Objects of one group+plural, optionally restricted to a namespace, sorted by namespace then name. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const prefix = JSON.stringify([type.group, type.plural]).slice(0, -1);
    const out: KubeObject[] = [];
    for (const [key, obj] of this.#objects) {
      if (!key.startsWith(`${prefix},`)) continue;
      if (namespace !== undefined && (obj.metadata.namespace ?? '') !== namespace) continue;
      out.push(clone(obj));
    }
    return out.sort(compareObjects);
  }

  all(): KubeObject[] {
    return [...this.#objects.values()].map((o) => clone(o)).sort(compareObjects);
  }

  /** Stores `obj` (whose metadata.resourceVersion must already be the new one) and records the change. */
  put(type: ResourceType, obj: KubeObject): void {
    const key = storageKey(type.group, type.plural, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const eventType: StoreEventType = this.#objects.has(key) ? 'MODIFIED' : 'ADDED';
    this.#objects.set(key, clone(obj));
    this.#record(eventType, type, obj);
  }

  /** Removes the object and records a DELETED event carrying a fresh resourceVersion; returns that copy. */
  remove(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const key = storageKey(type.group, type.plural, namespace, name);
    const existing = this.#objects.get(key);
    if (!existing) return undefined;
    this.#objects.delete(key);
    const deleted = clone(existing);
    deleted.metadata.resourceVersion = this.nextResourceVersion();
    this.#record('DELETED', type, deleted);
    return deleted;
  }

  /** Events after `resourceVersion`, or undefined when history no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.oldestResumableVersion) return undefined;
    return this.#history.filter((e) => e.resourceVersion > resourceVersion);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #record(type: StoreEventType, resource: ResourceType, obj: KubeObject): void {
    const event: StoreEvent = {
      type,
      resourceVersion: Number(obj.metadata.resourceVersion),
      group: resource.group,
      plural: resource.plural,
      namespace: obj.metadata.namespace ?? '',
      object: clone(obj),
    };
    this.#history.push(event);
    if (this.#history.length > HISTORY_LIMIT) this.#history.shift();
    for (const listener of this.#listeners) listener(event);
  }
}

function compareObjects(a: KubeObject, b: KubeObject): number {
  const ns = (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '');
  return ns !== 0 ? ns : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
