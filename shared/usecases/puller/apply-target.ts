// A verified artifact: wait for dependencies, apply within the artifact's timeout, prune what disappeared
// (never after a failed apply), record the inventory with the applied generation, and report. Applying and
// pruning act as the target's tenant (tenant-identity.ts); the inventory is the puller's own record.
import { describeConflicts, describeDrift, driftSummary } from '../../core/apply/drift.ts';
import { inventoryOf, staleEntries } from '../../core/apply/inventory.ts';
import { refOf } from '../../core/apply/object-ref.ts';
import type { ArtifactPayload } from '../../core/artifact/artifact.ts';
import type { HealthCheckExpr, HealthCheckRules } from '../../core/health/health-check-rules.ts';
import type { ApplyReport } from '../../core/pipeline/jobs.ts';
import { targetKey } from '../../core/pipeline/target.ts';
import { applyHelmRelease } from './apply-helm-release.ts';
import { type ApplyOutcome, applyObjects } from './apply-objects.ts';
import { type Inventory, writeInventory } from './inventory-store.ts';
import { helmReleaseOwns, pruneObjects } from './prune-objects.ts';
import { suspendTarget } from './suspend-target.ts';
import type { TargetContext } from './target-context.ts';
import { asTenant } from './tenant-identity.ts';
import { waitForHealth } from './wait-for-health.ts';

/** Artifacts signed before `timeout` was honoured may carry none; Flux's default is the interval. */
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export async function applyTarget(
  ctx: TargetContext,
  payload: ArtifactPayload,
): Promise<ApplyReport | undefined> {
  const { deps, previous, target, ready } = ctx;
  const key = targetKey(target);
  const revision = payload.source.revision;
  const driftDue =
    !previous ||
    ((payload.apply.correctDrift !== false || payload.apply.driftMode === 'warn') &&
      deps.clock.now() - Date.parse(previous.appliedAt) >= payload.apply.intervalMs);
  if (payload.apply.suspend) return suspendTarget(ctx, payload);
  // A target resumed after a suspension reconciles at once (and its status stops saying Suspended).
  if (previous?.digest === ctx.digest && !previous.removed && !previous.suspended && !driftDue) {
    ready.set(key, true);
    return undefined;
  }
  // dependsOn names targets of the same kind, as in Flux, unless it names another kind.
  const blocked = payload.apply.dependsOn.find(
    (d) =>
      ready.get(targetKey({ kind: d.kind ?? target.kind, namespace: d.namespace, name: d.name })) !== true,
  );
  if (blocked) {
    ready.set(key, false);
    return ctx.report({
      revision,
      ready: false,
      reason: 'DependencyNotReady',
      message: `dependency '${blocked.namespace}/${blocked.name}' is not ready`,
    });
  }

  // spec.timeout bounds the whole apply and wait of this target; the next target starts either way.
  const timeoutMs = payload.apply.timeoutMs > 0 ? payload.apply.timeoutMs : DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const { helm: release, serviceAccountName } = payload.apply;
  const tenant = asTenant(ctx, serviceAccountName);
  // Removing the target later prunes as the same service account, though its tombstone names none.
  const account = serviceAccountName ? { serviceAccountName } : {};
  const helm = release ? await applyHelmRelease(tenant, payload, release, signal) : undefined;
  // The artifact last applied, again: whatever differs from it now was changed or deleted by hand.
  const driftPass = previous?.digest === ctx.digest && !previous.removed;
  const applied = helm
    ? helm.outcome
    : await applyObjects(tenant.deps, payload.objects, {
        force: payload.apply.force,
        signal,
        cleanup: true,
        ...(payload.apply.driftIgnoreRules && { ignore: payload.apply.driftIgnoreRules }),
        ...(driftPass && { drift: { known: new Set(previous.entries.map((e) => e.id)) } }),
      });
  const drift = driftSummary(applied.drifted ?? [], payload.apply.driftMode === 'warn');
  const { conflicts } = applied;
  const found = { ...(drift && { drift }), ...(conflicts && { conflicts }) };
  const appliedCount = applied.counts.created + applied.counts.configured;
  if (applied.errors.length > 0 || applied.timedOut) {
    // Keep pruning information: what was there before plus what this attempt did create.
    if (previous || applied.applied.length > 0) {
      const union = new Map([...(previous?.entries ?? []), ...applied.applied].map((e) => [e.id, e]));
      await writeInventory(deps, {
        target,
        digest: previous?.digest ?? '',
        revision: previous?.revision ?? '',
        appliedAt: previous?.appliedAt ?? new Date(0).toISOString(),
        ...(previous?.prune !== undefined && { prune: previous.prune }),
        ...(previous?.applied && { applied: previous.applied }),
        entries: [...union.values()],
        ...((helm?.uninstall ?? previous?.helm) && { helm: helm?.uninstall ?? previous?.helm }),
        ...account,
      });
    }
    const failure = failureOf(applied, timeoutMs);
    await helm?.record(failure.message);
    ready.set(key, false);
    return ctx.report({ revision, ready: false, applied: appliedCount, ...failure, ...found });
  }

  const next = inventoryOf(helm ? helm.inventoried : payload.objects);
  let pruned = 0;
  let kept: Inventory['entries'] = [];
  const pruneErrors: string[] = [];
  if (payload.apply.prune && previous && !previous.removed) {
    const owns = helm && helmReleaseOwns(helm.uninstall);
    const result = await pruneObjects(tenant.deps, target, staleEntries(previous.entries, next), owns);
    pruned = result.pruned;
    kept = result.kept;
    pruneErrors.push(...result.errors);
  }
  // The record before the inventory: once the inventory names this digest, the record is never retried.
  await helm?.record();
  await writeInventory(deps, {
    target,
    digest: ctx.digest,
    revision,
    appliedAt: ctx.now,
    prune: payload.apply.prune,
    applied: ctx.mark,
    entries: [...next, ...kept],
    ...(helm && { helm: helm.uninstall }),
    ...account,
  });
  if (pruneErrors.length > 0) {
    ready.set(key, false);
    return ctx.report({
      revision,
      ready: false,
      reason: 'PruneFailed',
      message: pruneErrors.join('; '),
      applied: appliedCount,
      pruned,
      ...found,
    });
  }
  // spec.wait / spec.healthChecks, after apply and prune as in Flux, bounded by a fresh spec.timeout.
  const health = await checkHealth(ctx, tenant.deps, payload, timeoutMs);
  if (health === 'aborted') return undefined; // a newer artifact takes over; it reports
  if (health) {
    ready.set(key, false);
    return ctx.report({ revision, ready: false, ...health, applied: appliedCount, pruned, ...found });
  }
  ready.set(key, true);
  const c = applied.counts;
  return ctx.report({
    revision,
    ready: true,
    reason: 'ReconciliationSucceeded',
    message: [
      `Applied revision: ${revision} (${c.created} created, ${c.configured} configured, ${c.unchanged} unchanged, ${pruned} pruned)`,
      ...(drift ? [describeDrift(drift)] : []),
      ...(conflicts ? [describeConflicts(conflicts)] : []),
    ].join('; '),
    applied: appliedCount,
    pruned,
    ...found,
  });
}

/** The reason and message of a failed apply: a timeout, a CRD or Namespace never established, or an error. */
function failureOf(applied: ApplyOutcome, timeoutMs: number): { reason: string; message: string } {
  const seconds = Math.round(timeoutMs / 1000);
  const errors = applied.errors.join('; ');
  if (applied.timedOut === 'wait')
    return {
      reason: 'HealthCheckFailed',
      message: `timeout: not ready within ${seconds}s (spec.timeout): ${errors}`,
    };
  if (applied.timedOut === 'apply')
    return {
      reason: 'ReconciliationFailed',
      message: `apply failed: timeout: not applied within ${seconds}s (spec.timeout)${errors ? `: ${errors}` : ''}`,
    };
  if (applied.hookFailed) return { reason: 'ReconciliationFailed', message: `release failed: ${errors}` };
  if (applied.notEstablished) return { reason: 'HealthCheckFailed', message: `not ready: ${errors}` };
  return { reason: 'ReconciliationFailed', message: `apply failed: ${errors}` };
}

/**
 * The objects to wait for: every applied object with `wait: true`, else `healthChecks` (Flux targets named
 * there count by their own readiness). Undefined when healthy or nothing to wait for; `aborted` when a
 * newer artifact cancelled the wait.
 */
async function checkHealth(
  ctx: TargetContext,
  deps: TargetContext['deps'],
  payload: ArtifactPayload,
  timeoutMs: number,
): Promise<{ reason: string; message: string } | 'aborted' | undefined> {
  const { apply } = payload;
  if (ctx.target.kind !== 'Kustomization') return undefined;
  const refs = apply.wait ? payload.objects.map(refOf) : (apply.healthChecks ?? []);
  if (refs.length === 0) return undefined;
  const report = await waitForHealth(deps, {
    refs,
    ...(apply.healthCheckExprs && { rules: await compiledRules(apply.healthCheckExprs) }),
    timeoutMs,
    ...(ctx.signal && { signal: ctx.signal }),
    targetReady: (t) => ctx.ready.get(targetKey(t)),
  });
  if (report.outcome === 'healthy') return undefined;
  if (report.outcome === 'aborted') return 'aborted';
  return { reason: 'HealthCheckFailed', message: report.message };
}

/**
 * spec.healthCheckExprs compiled for the wait. The CEL library is loaded with the compiler, by the first
 * target that has expressions: a puller whose targets have none never holds it (about 0.6 MiB).
 */
async function compiledRules(exprs: readonly HealthCheckExpr[]): Promise<HealthCheckRules> {
  const { compileHealthCheckExprs } = await import('../../core/health/health-check-exprs.ts');
  return compileHealthCheckExprs(exprs);
}
