// The puller's record of what it applied for each target, kept in the cluster itself (a ConfigMap per
// target in the puller's namespace), so pruning and rollback refusal survive puller restarts.
import { createHash } from 'node:crypto';
import type { InventoryEntry } from '../../core/apply/inventory.ts';
import type { AppliedMark } from '../../core/artifact/binding.ts';
import { type Target, targetKey } from '../../core/pipeline/target.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import type { PullerDeps } from './puller-deps.ts';

export interface Inventory {
  /** Inventories written before targets carried `kustomization: {namespace, name}`; readInventory fills this. */
  target: Target;
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
  /** A HelmRelease's: what uninstalling it needs, since the tombstone that removes it carries nothing. */
  helm?: HelmUninstall;
  /** The target's spec.serviceAccountName as last applied: its removal prunes as that service account. */
  serviceAccountName?: string;
  /** The digest of the signed suspension last reported (see suspend-target.ts): reported once, not each pass. */
  suspended?: string;
}

export interface HelmUninstall {
  releaseName: string;
  /** The release namespace: what the objects' meta.helm.sh/release-namespace names. */
  namespace: string;
  storageNamespace: string;
  chartName: string;
  keepHistory: boolean;
  /** uninstall.disableHooks */
  disableHooks: boolean;
  timeoutMs: number;
  /** The release's pre-delete and post-delete hooks, as last applied. */
  hooks: KubeObject[];
}

/**
 * The ConfigMap's name. A Kustomization's is the name earlier versions gave it (no kind), so the clusters'
 * existing inventories, and with them pruning and rollback refusal, carry over; other kinds add their kind.
 */
export function inventoryName(target: Target): string {
  const named =
    target.kind === 'Kustomization' ? target : { ...target, namespace: `${target.kind}-${target.namespace}` };
  const id = target.kind === 'Kustomization' ? `${target.namespace}/${target.name}` : targetKey(target);
  const slug = `${named.namespace}-${named.name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40);
  return `inventory-${slug}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
}

export async function readInventory(deps: PullerDeps, target: Target): Promise<Inventory | undefined> {
  const cm = await deps.kube.get({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: deps.inventoryNamespace,
    name: inventoryName(target),
  });
  const raw = (cm?.data as Record<string, string> | undefined)?.inventory;
  if (!raw) return undefined;
  const { kustomization: _earlier, ...inventory } = JSON.parse(raw) as Inventory & {
    kustomization?: unknown;
  };
  return { ...inventory, target };
}

export async function writeInventory(deps: PullerDeps, inventory: Inventory): Promise<void> {
  await deps.kube.apply(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: inventoryName(inventory.target),
        namespace: deps.inventoryNamespace,
        labels: { 'app.kubernetes.io/managed-by': 'sluice', 'sluice.dev/inventory': 'true' },
        annotations: {
          'sluice.dev/target': targetKey(inventory.target),
          ...(inventory.target.kind === 'Kustomization' && {
            'sluice.dev/kustomization': `${inventory.target.namespace}/${inventory.target.name}`,
          }),
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
