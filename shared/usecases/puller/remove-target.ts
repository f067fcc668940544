// A verified, signed tombstone: prune what the removed Kustomization owned (unless it had prune: false), as
// the service account it was applied as, and keep a record of the removal in the cluster so an older
// artifact replayed later is refused.
import type { TombstonePayload } from '../../core/artifact/artifact.ts';
import type { ApplyReport } from '../../core/pipeline/jobs.ts';
import { writeInventory } from './inventory-store.ts';
import { pruneObjects } from './prune-objects.ts';
import type { TargetContext } from './target-context.ts';
import { asTenant } from './tenant-identity.ts';
import { uninstallHelmRelease } from './uninstall-helm-release.ts';

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
  if (previous.prune === false && !previous.helm) {
    await recordRemoval();
    return ctx.report({
      ...fields,
      ready: true,
      reason: 'Removed',
      message: 'Kustomization removed from the fleet; prune is disabled, so its objects were left in place',
    });
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
  await recordRemoval();
  return ctx.report({
    ...fields,
    ready: true,
    reason: 'Pruned',
    message: uninstall
      ? `HelmRelease removed from the fleet; release '${previous.helm?.releaseName}' uninstalled (${pruned.pruned} objects deleted)`
      : `Kustomization removed from the fleet; pruned ${pruned.pruned} objects`,
    pruned: pruned.pruned,
  });
}
