// The puller's record of what it applied for each Kustomization, kept in the cluster itself (a ConfigMap
// per Kustomization in the puller's namespace), so pruning and rollback refusal survive puller restarts.
import { createHash } from 'node:crypto';
import type { InventoryEntry } from '../../core/apply/inventory.ts';
import type { AppliedMark } from '../../core/artifact/binding.ts';
import type { ObjectKey } from '../../core/pipeline/state-keys.ts';
import type { PullerDeps } from './puller-deps.ts';

export interface Inventory {
  kustomization: ObjectKey;
  digest: string;
  revision: string;
  appliedAt: string;
  /** spec.prune of the last applied artifact: whether removing the Kustomization deletes its objects. */
  prune?: boolean;
  /** The last applied artifact or tombstone (digest, sequence, signer): only it or a newer one is applied. */
  applied?: AppliedMark;
  /** A signed tombstone was applied: the Kustomization is gone; the record stays to refuse replays. */
  removed?: boolean;
  entries: InventoryEntry[];
}

export function inventoryName(ks: ObjectKey): string {
  const slug = `${ks.namespace}-${ks.name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40);
  return `inventory-${slug}-${createHash('sha256').update(`${ks.namespace}/${ks.name}`).digest('hex').slice(0, 8)}`;
}

export async function readInventory(deps: PullerDeps, ks: ObjectKey): Promise<Inventory | undefined> {
  const cm = await deps.kube.get({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: deps.inventoryNamespace,
    name: inventoryName(ks),
  });
  const raw = (cm?.data as Record<string, string> | undefined)?.inventory;
  return raw ? (JSON.parse(raw) as Inventory) : undefined;
}

export async function writeInventory(deps: PullerDeps, inventory: Inventory): Promise<void> {
  await deps.kube.apply(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: inventoryName(inventory.kustomization),
        namespace: deps.inventoryNamespace,
        labels: { 'app.kubernetes.io/managed-by': 'sluice', 'sluice.dev/inventory': 'true' },
        annotations: {
          'sluice.dev/kustomization': `${inventory.kustomization.namespace}/${inventory.kustomization.name}`,
        },
      },
      data: { inventory: JSON.stringify(inventory) },
    },
    { fieldManager: deps.fieldManager, force: true },
  );
}

export async function ensureInventoryNamespace(deps: PullerDeps): Promise<void> {
  await deps.kube.apply(
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: deps.inventoryNamespace, labels: { 'app.kubernetes.io/managed-by': 'sluice' } },
    },
    { fieldManager: deps.fieldManager, force: true },
  );
}
