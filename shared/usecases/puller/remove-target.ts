// A verified, signed tombstone: delete or leave what the removed target owned as its signed deletion policy
// says (Flux's finalizers), as the service account it was applied as, and keep a record of the removal in the
// cluster so an older artifact replayed later is refused.

import { describeRef } from '../../core/apply/object-ref.ts';
import type { TombstonePayload } from '../../core/artifact/artifact.ts';
import type { ApplyReport } from '../../core/pipeline/jobs.ts';
import { type Inventory, writeInventory } from './inventory-store.ts';
import { pruneObjects } from './prune-objects.ts';
import type { TargetContext } from './target-context.ts';
import { asTenant } from './tenant-identity.ts';
import { uninstallHelmRelease } from './uninstall-helm-release.ts';
import { waitForTermination } from './wait-for-termination.ts';

/** A signed WaitForTermination without its timeout (never from the control plane): Flux's 5 minute default. */
const DEFAULT_TERMINATION_TIMEOUT_MS = 300_000;

export async function removeTarget(
  ctx: TargetContext,
  tombstone: TombstonePayload,
): Promise<ApplyReport | undefined> {
  const { deps, previous, target } = ctx;
  if (previous?.removed && previous.digest === ctx.digest) return undefined;
  const recordRemoval = () =>
    writeInventory(deps, {
      target,
      digest: ctx.digest,
      revision: tombstone.revision,
      appliedAt: ctx.now,
      applied: ctx.mark,
      removed: true,
      entries: [],
    });
  // Nothing was ever applied: remember the removal quietly.
  if (!previous || previous.removed) {
    await recordRemoval();
    return undefined;
  }
  const fields = { digest: ctx.digest, revision: tombstone.revision };
  const left = leftInPlace(previous, tombstone);
  if (left) {
    await recordRemoval();
    return ctx.report({ ...fields, ready: true, reason: 'Removed', message: left });
  }
  const tenant = asTenant(ctx, previous.serviceAccountName);
  const uninstall = previous.helm && (await uninstallHelmRelease(tenant, previous, previous.helm));
  const pruned = uninstall ? uninstall.pruned : await pruneObjects(tenant.deps, target, previous.entries);
  if (uninstall?.error) {
    await writeInventory(deps, { ...previous, entries: pruned.kept });
    return ctx.report({
      ...fields,
      ready: false,
      reason: 'ReconciliationFailed',
      message: `uninstall failed: ${uninstall.error}`,
      pruned: pruned.pruned,
    });
  }
  if (pruned.errors.length > 0) {
    // Keep the last applied record: the next round retries the tombstone.
    await writeInventory(deps, { ...previous, entries: pruned.kept });
    return ctx.report({
      ...fields,
      ready: false,
      reason: 'PruneFailed',
      message: pruned.errors.join('; '),
      pruned: pruned.pruned,
    });
  }
  const policy = tombstone.deletionPolicy ?? 'MirrorPrune';
  const done = uninstall
    ? `HelmRelease removed from the fleet; release '${previous.helm?.releaseName}' uninstalled (${pruned.pruned} objects deleted)`
    : `Kustomization removed from the fleet; deleted ${pruned.pruned} objects (deletionPolicy ${policy})`;
  if (!uninstall && policy === 'WaitForTermination') {
    const timeoutMs = tombstone.timeoutMs ?? DEFAULT_TERMINATION_TIMEOUT_MS;
    const wait = await waitForTermination(tenant.deps, pruned.deleted, timeoutMs, ctx.signal);
    if (wait.aborted) return undefined;
    // As Flux: a timeout is reported and the removal still completes (its finalizer is removed all the same).
    await recordRemoval();
    if (wait.remaining.length > 0)
      return ctx.report({
        ...fields,
        ready: false,
        reason: 'PruneFailed',
        message: `${done}; timeout after ${timeoutMs / 1000}s waiting for termination of ${wait.remaining.length} objects: ${wait.remaining.map(describeRef).join(', ')}`,
        pruned: pruned.pruned,
      });
    return ctx.report({
      ...fields,
      ready: true,
      reason: 'Pruned',
      message: `${done}, all terminated`,
      pruned: pruned.pruned,
    });
  }
  await recordRemoval();
  return ctx.report({ ...fields, ready: true, reason: 'Pruned', message: done, pruned: pruned.pruned });
}

/**
 * Why nothing is deleted, or undefined to delete (Flux's finalizerShouldDeleteResources, and helm-controller's
 * uninstall, which a suspended HelmRelease skips too). A HelmRelease has no deletionPolicy: it is uninstalled.
 */
function leftInPlace(previous: Inventory, tombstone: TombstonePayload): string | undefined {
  const count = previous.entries.length;
  if (previous.helm)
    return tombstone.suspended
      ? `HelmRelease removed from the fleet while suspended; release '${previous.helm.releaseName}' left installed (${count} objects), as Flux does`
      : undefined;
  const removed = 'Kustomization removed from the fleet';
  if (tombstone.suspended)
    return `${removed} while suspended; orphaned ${count} objects (a suspended Kustomization deletes nothing, as in Flux)`;
  const policy = tombstone.deletionPolicy ?? 'MirrorPrune';
  if (policy === 'Orphan') return `${removed}; orphaned ${count} objects (deletionPolicy Orphan)`;
  if (policy === 'MirrorPrune' && previous.prune === false)
    return `${removed}; orphaned ${count} objects (deletionPolicy MirrorPrune, and prune is false)`;
  return undefined;
}
