// Uninstalls a HelmRelease that left the fleet, as helm uninstall does: pre-delete hooks, the release's
// objects (its inventory; CRDs from crds/ were never in it), post-delete hooks, then the release records:
// deleted, or kept with the latest marked uninstalled (keepHistory).
import { hookOf } from '../../core/helm/hook-order.ts';
import { deleteReleaseVersions, readReleaseHistory, setReleaseStatus } from './helm-release-store.ts';
import type { HelmUninstall, Inventory } from './inventory-store.ts';
import { helmReleaseOwns, type PruneOutcome, pruneObjects } from './prune-objects.ts';
import { runHelmHooks } from './run-helm-hooks.ts';
import type { TargetContext } from './target-context.ts';

export interface UninstallOutcome {
  pruned: PruneOutcome;
  /** `pre-delete hook Job/ns/x failed: …`, or a record that could not be updated. */
  error?: string;
}

export async function uninstallHelmRelease(
  ctx: TargetContext,
  previous: Inventory,
  helm: HelmUninstall,
): Promise<UninstallOutcome> {
  const { deps } = ctx;
  const hooks = helm.hooks.map(hookOf);
  const hookOpts = { chartName: helm.chartName, timeoutMs: helm.timeoutMs };
  const none: PruneOutcome = { pruned: 0, deleted: [], kept: previous.entries, errors: [] };
  if (!helm.disableHooks) {
    const pre = await runHelmHooks(deps, 'pre-delete', hooks, hookOpts);
    if (pre.failure)
      return { pruned: none, error: `pre-delete hook ${pre.failure.hook} failed: ${pre.failure.message}` };
  }
  const pruned = await pruneObjects(deps, ctx.target, previous.entries, helmReleaseOwns(helm));
  if (pruned.errors.length > 0) return { pruned };
  if (!helm.disableHooks) {
    const post = await runHelmHooks(deps, 'post-delete', hooks, hookOpts);
    if (post.failure)
      return { pruned, error: `post-delete hook ${post.failure.hook} failed: ${post.failure.message}` };
  }
  const history = await readReleaseHistory(deps, helm);
  const latest = history.at(-1);
  if (helm.keepHistory) {
    if (latest && latest.release.info.status !== 'uninstalled')
      await setReleaseStatus(deps, helm.storageNamespace, latest, 'uninstalled', {
        deleted: ctx.now,
        description: 'Uninstallation complete',
      });
  } else {
    await deleteReleaseVersions(
      deps,
      helm,
      history.map((h) => h.release.version),
    );
  }
  return { pruned };
}
