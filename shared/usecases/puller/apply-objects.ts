// Applies an artifact's objects with server-side apply in Flux's stages: CRDs, Namespaces and
// ClusterRoles first (then wait until established), `*Class` kinds next, everything else last. Objects
// opted out with Flux's annotations are skipped. Stops at the first failing stage (a failed wait included);
// reports every failure and never throws for one.
// As fluxcd/pkg/ssa: each existing object is first applied as a dry run and written only when the answer
// differs from the live object (drift), so an unchanged object costs a read and a dry run, never a write.
// The write goes without force first; fields another manager set are reported as conflicts, then taken over
// with a forced apply of the same object (which touches only the fields we send).
// A Kustomization's objects first get Flux's cleanup of kubectl's field ownership (field-manager-cleanup.ts).
// `signal` is the Kustomization's timeout: once it fires, in-flight calls abort and nothing more is sent.

import { applyStages } from '../../core/apply/apply-order.ts';
import {
  type DriftedObject,
  driftedFields,
  driftedObject,
  type FieldConflictReport,
  MAX_DRIFT_FIELDS,
} from '../../core/apply/drift.ts';
import {
  compileIgnoreRules,
  type DriftIgnoreRule,
  keepIgnoredFields,
  ownedByOtherApplier,
  withoutFields,
} from '../../core/apply/drift-ignore.ts';
import { cleanupPatch } from '../../core/apply/field-manager-cleanup.ts';
import { entryOf, type InventoryEntry } from '../../core/apply/inventory.ts';
import { describeRef, refOf } from '../../core/apply/object-ref.ts';
import { SluiceError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import type { ApplyAction } from '../../ports/cluster-api.ts';
import { conflictsOf, forbiddenOf, isImmutableFieldError } from '../../ports/cluster-api-error.ts';
import type { PullerDeps } from './puller-deps.ts';

export interface ApplyOutcome {
  applied: InventoryEntry[];
  counts: { created: number; configured: number; unchanged: number; skipped: number };
  errors: string[];
  /** Set when the timeout ran out: while applying, or while waiting for CRDs/Namespaces. */
  timedOut?: 'apply' | 'wait';
  /** A CRD or Namespace did not become established within the puller's own bound for that wait. */
  notEstablished?: boolean;
  /** A HelmRelease's hook failed (see apply-helm-release.ts): the release failed, nothing is pruned. */
  hookFailed?: boolean;
  /** With `drift` asked for: the objects corrected or recreated, in object order. */
  drifted?: DriftedObject[];
  /** Fields other managers had set that were taken over, in object order. */
  conflicts?: FieldConflictReport[];
}

export interface ApplyObjectsOptions {
  /** spec.force: an immutable-field change deletes and recreates the object. */
  force: boolean;
  signal?: AbortSignal;
  /** spec.ignore (driftDetection.ignore): fields left alone, never compared nor reverted. */
  ignore?: DriftIgnoreRule[];
  /**
   * A re-apply of the artifact last applied: what changed is drift. `known` holds the inventory ids of
   * what was applied, so a missing one was deleted by hand (recreated) rather than new.
   */
  drift?: { known: ReadonlySet<string>; detectOnly?: boolean };
  /**
   * A Kustomization's apply: Flux's cleanup first (field-manager-cleanup.ts), so what was changed or added
   * with kubectl is the puller's to correct, unless the object says `ssa: Merge`.
   */
  cleanup?: boolean;
}

const KEY = 'kustomize.toolkit.fluxcd.io';
/** The object exists or not, but this tenant may not read it. */
const UNREADABLE = Symbol('unreadable');
const APPLY_CONCURRENCY = 8;

function flag(obj: KubeObject, name: string): string | undefined {
  const meta = (obj.metadata ?? {}) as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  return meta.annotations?.[`${KEY}/${name}`] ?? meta.labels?.[`${KEY}/${name}`];
}

function isSkipped(obj: KubeObject): boolean {
  return flag(obj, 'reconcile')?.toLowerCase() === 'disabled' || flag(obj, 'ssa')?.toLowerCase() === 'ignore';
}

export async function applyObjects(
  deps: PullerDeps,
  objects: KubeObject[],
  forceOrOptions: boolean | ApplyObjectsOptions,
  signalArg?: AbortSignal,
): Promise<ApplyOutcome> {
  const opts: ApplyObjectsOptions =
    typeof forceOrOptions === 'boolean'
      ? { force: forceOrOptions, ...(signalArg && { signal: signalArg }) }
      : forceOrOptions;
  const { signal } = opts;
  const ignored = opts.ignore?.length ? compileIgnoreRules(opts.ignore) : () => [];
  const outcome: ApplyOutcome = {
    applied: [],
    counts: { created: 0, configured: 0, unchanged: 0, skipped: 0 },
    errors: [],
  };
  const drifted: (DriftedObject | undefined)[] = [];
  const conflicts: (FieldConflictReport[] | undefined)[] = [];
  let index = 0;
  for (const { stage, objects: batch } of applyStages(objects)) {
    const applyOne = async (obj: KubeObject, at: number): Promise<void> => {
      try {
        if (signal?.aborted) throw new SluiceError('ApplyFailed', `${describeRef(refOf(obj))}: not applied`);
        // Skipped objects stay in the inventory (as in Flux) so they are not pruned.
        if (isSkipped(obj)) {
          outcome.counts.skipped++;
          outcome.applied.push(entryOf(obj));
          return;
        }
        const call = signal ? { signal } : {};
        // A tenant that may patch but not read the object: applied as before drift detection (no dry run).
        const live: KubeObject | undefined | typeof UNREADABLE = await deps.kube
          .get(refOf(obj), call)
          .catch((err: unknown) => {
            if (forbiddenOf(err)) return UNREADABLE;
            throw err;
          });
        // Looking only (drift `detectOnly`): an object that cannot be read cannot be compared either.
        if (live === UNREADABLE && opts.drift?.detectOnly) {
          outcome.counts.unchanged++;
          outcome.applied.push(entryOf(obj));
          return;
        }
        if (live === UNREADABLE) {
          const { action } = await deps.kube.apply(obj, {
            fieldManager: deps.fieldManager,
            force: true,
            ...call,
          });
          outcome.counts[action]++;
          outcome.applied.push(entryOf(obj));
          return;
        }
        if (live && flag(obj, 'ssa')?.toLowerCase() === 'ifnotpresent') {
          outcome.counts.skipped++;
          outcome.applied.push(entryOf(obj));
          return;
        }
        const forceThis = opts.force || flag(obj, 'force')?.toLowerCase() === 'enabled';
        if (opts.drift?.detectOnly) {
          const id = entryOf(obj).id;
          const fields = live ? await driftOf(deps, obj, live, ignored(obj), signal) : [];
          outcome.counts.unchanged++;
          outcome.applied.push(entryOf(obj));
          if (fields.length > 0) drifted[at] = driftedObject(describeRef(refOf(obj)), fields);
          else if (!live && opts.drift.known.has(id))
            drifted[at] = { ...driftedObject(describeRef(refOf(obj)), []), deleted: true };
          return;
        }
        const result = await applyIfDrifted(
          deps,
          obj,
          live,
          forceThis,
          ignored(obj),
          opts.cleanup === true,
          signal,
        );
        outcome.counts[result.action]++;
        outcome.applied.push(entryOf(obj));
        if (result.conflicts.length > 0) conflicts[at] = result.conflicts;
        if (opts.drift && result.action !== 'unchanged') {
          const id = entryOf(obj).id;
          const object = describeRef(refOf(obj));
          // A cleanup alone (kubectl's ownership handed over, nothing to correct) is no drift.
          if (live && (result.fields.length > 0 || result.recreated))
            drifted[at] = {
              ...driftedObject(object, result.fields),
              ...(result.recreated && { recreated: true }),
            };
          else if (!live && opts.drift.known.has(id))
            drifted[at] = { ...driftedObject(object, []), recreated: true };
        }
      } catch (err) {
        outcome.errors.push((err as Error).message);
      }
    };
    // Objects within a stage do not depend on each other (that is what the stages are for): apply a few
    // at a time. Errors are collected in object order for a stable message.
    const start = index;
    index += batch.length;
    for (let i = 0; i < batch.length; i += APPLY_CONCURRENCY) {
      await Promise.all(batch.slice(i, i + APPLY_CONCURRENCY).map((o, j) => applyOne(o, start + i + j)));
    }
    if (signal?.aborted) {
      outcome.timedOut = 'apply';
      break;
    }
    if (outcome.errors.length > 0) break;
    if (stage !== 'resources') {
      try {
        await waitEstablished(deps, batch, signal);
      } catch (err) {
        // A failed wait (the API server erring, a CRD never established) ends this target's apply like a
        // failed stage does; it must not escape to the cluster pass and stop the targets after it.
        if (signal?.aborted) outcome.timedOut = 'wait';
        else if (err instanceof SluiceError && err.code === 'HealthCheckFailed')
          outcome.notEstablished = true;
        outcome.errors.push((err as Error).message);
        break;
      }
    }
  }
  if (opts.drift) outcome.drifted = drifted.filter((d) => d !== undefined);
  const taken = conflicts.flat().filter((c) => c !== undefined);
  if (taken.length > 0) outcome.conflicts = taken;
  return outcome;
}

interface ObjectResult {
  action: ApplyAction;
  /** The drifted fields of an existing object (paths only). */
  fields: string[];
  /** Deleted and created again (spec.force, an immutable field changed). */
  recreated?: boolean;
  conflicts: FieldConflictReport[];
}

/**
 * One object: a missing one is applied at once (created); an existing one is dry-run applied (forced, as
 * Flux does, so that fields another manager set show as drift) and written only when the answer differs
 * from `live` outside the ignored fields. `force`: an immutable-field change recreates the object.
 */
async function applyIfDrifted(
  deps: PullerDeps,
  obj: KubeObject,
  live: KubeObject | undefined,
  force: boolean,
  ignoredPaths: string[],
  cleanup: boolean,
  signal?: AbortSignal,
): Promise<ObjectResult> {
  const call = signal ? { signal } : {};
  const fieldManager = deps.fieldManager;
  const patch = live && cleanup ? cleanupPatch(live, obj, fieldManager) : undefined;
  if (live && patch) live = await deps.kube.mergePatch(patch, { fieldManager, ...call });
  if (!live) {
    const written = await writeTakingOver(deps, obj, null, signal);
    return { action: 'created', fields: [], conflicts: written.conflicts };
  }
  let dryRun: KubeObject;
  try {
    ({ live: dryRun } = await deps.kube.apply(obj, { fieldManager, force: true, dryRun: true, ...call }));
  } catch (err) {
    if (!force || !isImmutableFieldError(err)) throw err;
    await deps.kube.delete(refOf(obj), call);
    const written = await writeTakingOver(deps, obj, null, signal);
    return { action: 'configured', fields: [], recreated: true, conflicts: written.conflicts };
  }
  const fields = driftedFields(withoutFields(live, ignoredPaths), withoutFields(dryRun, ignoredPaths));
  if (fields.length === 0) return { action: patch ? 'configured' : 'unchanged', fields: [], conflicts: [] };
  const applied =
    ignoredPaths.length > 0
      ? keepIgnoredFields(obj, live, dryRun, ignoredPaths, ownedByOtherApplier(live, fieldManager))
      : obj;
  const written = await writeTakingOver(deps, applied, live, signal);
  return { action: 'configured', fields, conflicts: written.conflicts };
}

/** The fields of `live` a server-side apply of `obj` would change (a dry run; nothing is written). */
async function driftOf(
  deps: PullerDeps,
  obj: KubeObject,
  live: KubeObject,
  ignoredPaths: string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const { live: dryRun } = await deps.kube.apply(obj, {
    fieldManager: deps.fieldManager,
    force: true,
    dryRun: true,
    ...(signal && { signal }),
  });
  return driftedFields(withoutFields(live, ignoredPaths), withoutFields(dryRun, ignoredPaths));
}

/**
 * The write: without force, so a field another manager set is a 409 naming it and that manager; reported,
 * then taken over with a forced apply of the same object (server-side apply changes only the fields sent).
 */
async function writeTakingOver(
  deps: PullerDeps,
  obj: KubeObject,
  before: KubeObject | null,
  signal?: AbortSignal,
): Promise<{ conflicts: FieldConflictReport[] }> {
  const base = { fieldManager: deps.fieldManager, before, ...(signal && { signal }) };
  try {
    await deps.kube.apply(obj, { ...base, force: false });
    return { conflicts: [] };
  } catch (err) {
    const found = conflictsOf(err);
    if (!found) throw err;
    await deps.kube.apply(obj, { ...base, force: true });
    const byManager = new Map<string, string[]>();
    for (const c of found) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.field]);
    const object = describeRef(refOf(obj));
    return {
      conflicts: [...byManager].map(([manager, fields]) => ({
        object,
        manager,
        fields: fields.slice(0, MAX_DRIFT_FIELDS),
      })),
    };
  }
}

/** CRDs must be Established and Namespaces Active before anything that depends on them is applied. */
async function waitEstablished(deps: PullerDeps, objects: KubeObject[], signal?: AbortSignal): Promise<void> {
  const deadline = deps.clock.now() + deps.establishTimeoutMs;
  for (const obj of objects) {
    if (obj.kind !== 'CustomResourceDefinition' && obj.kind !== 'Namespace') continue;
    for (;;) {
      const live = await deps.kube.get(refOf(obj), signal ? { signal } : {});
      const status = (live?.status ?? {}) as {
        conditions?: { type: string; status: string }[];
        phase?: string;
      };
      const ready =
        obj.kind === 'Namespace'
          ? live !== undefined && status.phase !== 'Terminating'
          : status.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      if (ready) break;
      if (deps.clock.now() > deadline || signal?.aborted) {
        throw new SluiceError(
          'HealthCheckFailed',
          `${describeRef(refOf(obj))} did not become established in time`,
          { retryable: true },
        );
      }
      await deps.sleep(250);
    }
  }
}
