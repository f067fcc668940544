// A HelmRelease's artifact applied as helm install/upgrade would: the release namespace (createNamespace),
// CRDs from crds/ per the CRD policy, pre hooks, the release's objects (Flux's staged SSA), post hooks;
// then Helm's release record. A drift re-apply of the same artifact runs no hook and writes no record.
import { refOf } from '../../core/apply/object-ref.ts';
import type { ArtifactPayload } from '../../core/artifact/artifact.ts';
import { FROM_CRDS_DIR, type HelmReleaseApply } from '../../core/helm/helm-release-apply.ts';
import { type Hook, type HookEvent, hooksFor, splitHooks } from '../../core/helm/hook-order.ts';
import { buildRelease, type HookRecord, hookRecord } from '../../core/helm/release-record.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import { type ApplyOutcome, applyObjects } from './apply-objects.ts';
import { nextVersion, readReleaseHistory, recordRevision, type StoredRelease } from './helm-release-store.ts';
import type { HelmUninstall } from './inventory-store.ts';
import { runHelmHooks } from './run-helm-hooks.ts';
import type { TargetContext } from './target-context.ts';

export interface HelmApply {
  outcome: ApplyOutcome;
  /** What the inventory keeps (and prune and uninstall delete): never hooks, never CRDs from crds/. */
  inventoried: KubeObject[];
  /** What uninstall needs later, since a tombstone carries nothing. */
  uninstall: HelmUninstall;
  /** Writes the release record (nothing for a drift re-apply); `error` makes it a failed one. */
  record(error?: string): Promise<void>;
}

export async function applyHelmRelease(
  ctx: TargetContext,
  payload: ArtifactPayload,
  helm: HelmReleaseApply,
  signal: AbortSignal,
): Promise<HelmApply> {
  const { deps, previous } = ctx;
  const drift = previous?.digest === ctx.digest && !previous.removed;
  const { release: rest, hooks } = splitHooks(payload.objects);
  const crds = rest.filter((o) => annotation(o, FROM_CRDS_DIR) !== undefined);
  const objects = rest.filter((o) => annotation(o, FROM_CRDS_DIR) === undefined);
  const uninstall = uninstallOf(helm, hooks);
  const outcome: ApplyOutcome = {
    applied: [],
    counts: { created: 0, configured: 0, unchanged: 0, skipped: 0 },
    errors: [],
  };
  const history = await readReleaseHistory(deps, helm);
  // An upgrade once a revision ever deployed; a first install that failed is installed again (pre-install
  // hooks again), as Flux remediates a failed install, and a release uninstalled with keepHistory too.
  const upgrade = history.some((h) => ['deployed', 'superseded'].includes(h.release.info.status));
  const hookRecords: HookRecord[] = [];
  const result: HelmApply = {
    outcome,
    inventoried: objects,
    uninstall,
    record: async (error) => {
      if (drift) return;
      await writeRecord(ctx, helm, history, upgrade, hookRecords, hooks, error);
    },
  };
  // `owned`: whether what was applied joins the inventory (not the namespace, not CRDs from crds/).
  const merge = (next: ApplyOutcome, owned = true) => {
    if (owned) outcome.applied.push(...next.applied);
    for (const k of Object.keys(outcome.counts) as (keyof ApplyOutcome['counts'])[])
      outcome.counts[k] += next.counts[k];
    outcome.errors.push(...next.errors);
    if (next.timedOut) outcome.timedOut = next.timedOut;
    if (next.notEstablished) outcome.notEstablished = true;
    if (next.drifted) outcome.drifted = [...(outcome.drifted ?? []), ...next.drifted];
    if (next.conflicts) outcome.conflicts = [...(outcome.conflicts ?? []), ...next.conflicts];
    return next.errors.length === 0 && !next.timedOut;
  };
  const runHooks = async (event: HookEvent) => {
    if (drift || helm.disableHooks || hooksFor(event, hooks).length === 0) return true;
    const run = await runHelmHooks(deps, event, hooks, {
      chartName: helm.chart.name,
      timeoutMs: helm.timeoutMs,
      signal,
    });
    hookRecords.push(...run.records);
    if (!run.failure) return true;
    outcome.errors.push(`${event} hook ${run.failure.hook} failed: ${run.failure.message}`);
    outcome.hookFailed = true;
    return false;
  };

  if (helm.createNamespace && !drift) {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: helm.namespace } };
    // Helm creates the namespace but never owns it: it stays out of the inventory.
    if (
      !(await deps.kube.get(refOf(ns), { signal })) &&
      !merge(await applyObjects(deps, [ns], false, signal), false)
    )
      return result;
  }
  // Create: only CRDs not yet there; CreateReplace: all of them, updated in place (never recreated).
  const looking = drift && payload.apply.driftMode === 'warn';
  const wanted =
    helm.crds === 'Skip' || looking ? [] : helm.crds === 'Create' ? await absent(ctx, crds, signal) : crds;
  if (wanted.length > 0 && !merge(await applyObjects(deps, wanted, false, signal), false)) return result;
  if (!(await runHooks(upgrade ? 'pre-upgrade' : 'pre-install'))) return result;
  // driftDetection (mode enabled): its ignore rules leave fields alone; a re-apply reports what drifted.
  const release = await applyObjects(deps, objects, {
    force: payload.apply.force,
    signal,
    ...(payload.apply.driftIgnoreRules && { ignore: payload.apply.driftIgnoreRules }),
    // driftDetection.mode warn: the pass looks and reports; nothing is written.
    ...(drift && {
      drift: {
        known: new Set(previous.entries.map((e) => e.id)),
        ...(looking && { detectOnly: true }),
      },
    }),
  });
  if (!merge(release)) return result;
  await runHooks(upgrade ? 'post-upgrade' : 'post-install');
  return result;
}

async function absent(ctx: TargetContext, objects: KubeObject[], signal: AbortSignal): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const o of objects) if (!(await ctx.deps.kube.get(refOf(o), { signal }))) out.push(o);
  return out;
}

async function writeRecord(
  ctx: TargetContext,
  helm: HelmReleaseApply,
  history: StoredRelease[],
  upgrade: boolean,
  hookRecords: HookRecord[],
  hooks: Hook[],
  error: string | undefined,
): Promise<void> {
  const now = ctx.now;
  const first = history.find((h) => h.release.info.first_deployed)?.release.info.first_deployed;
  // Hooks that did not run this time are still the release's hooks (helm lists them all).
  const ran = new Set(hookRecords.map((r) => `${r.kind}/${r.name}`));
  const all = [
    ...hookRecords,
    ...hooks.filter((h) => !ran.has(`${h.kind}/${h.name}`)).map((h) => hookRecord(helm.chart.name, h)),
  ];
  const action = upgrade ? 'Upgrade' : 'Install';
  const release = buildRelease({
    apply: helm,
    version: nextVersion(history),
    status: error ? 'failed' : 'deployed',
    description: error
      ? `Release "${helm.releaseName}" failed: ${error}`
      : `${action} complete${helm.description ? `: ${helm.description}` : ''}`,
    firstDeployed: upgrade && first ? first : now,
    lastDeployed: now,
    hooks: all,
  });
  await recordRevision(ctx.deps, helm, history, release, helm.maxHistory);
}

function uninstallOf(helm: HelmReleaseApply, hooks: Hook[]): HelmUninstall {
  return {
    releaseName: helm.releaseName,
    namespace: helm.namespace,
    storageNamespace: helm.storageNamespace,
    chartName: helm.chart.name,
    keepHistory: helm.keepHistory,
    disableHooks: helm.uninstallDisableHooks,
    timeoutMs: helm.timeoutMs,
    hooks: hooks
      .filter((h) => h.events.includes('pre-delete') || h.events.includes('post-delete'))
      .map((h) => h.object),
  };
}

function annotation(obj: KubeObject, key: string): string | undefined {
  return (obj.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[key];
}
