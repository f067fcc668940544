// Applies an artifact's objects with server-side apply in Flux's stages: CRDs, Namespaces and
// ClusterRoles first (then wait until established), `*Class` kinds next, everything else last. Objects
// opted out with Flux's annotations are skipped. Stops at the first failing stage (a failed wait included);
// reports every failure and never throws for one.
// `signal` is the Kustomization's timeout: once it fires, in-flight calls abort and nothing more is sent.

import { applyStages } from '../../core/apply/apply-order.ts';
import { entryOf, type InventoryEntry } from '../../core/apply/inventory.ts';
import { describeRef, refOf } from '../../core/apply/object-ref.ts';
import { SluiceError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import { isImmutableFieldError } from '../../ports/cluster-api-error.ts';
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
}

const KEY = 'kustomize.toolkit.fluxcd.io';
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
  force: boolean,
  signal?: AbortSignal,
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = {
    applied: [],
    counts: { created: 0, configured: 0, unchanged: 0, skipped: 0 },
    errors: [],
  };
  for (const { stage, objects: batch } of applyStages(objects)) {
    const applyOne = async (obj: KubeObject): Promise<void> => {
      try {
        if (signal?.aborted) throw new SluiceError('ApplyFailed', `${describeRef(refOf(obj))}: not applied`);
        // Skipped objects stay in the inventory (as in Flux) so they are not pruned.
        if (
          isSkipped(obj) ||
          (flag(obj, 'ssa')?.toLowerCase() === 'ifnotpresent' &&
            (await deps.kube.get(refOf(obj), signal ? { signal } : {})))
        ) {
          outcome.counts.skipped++;
          outcome.applied.push(entryOf(obj));
          return;
        }
        const forceThis = force || flag(obj, 'force')?.toLowerCase() === 'enabled';
        const { action } = await applyWithRecreate(deps, obj, forceThis, signal);
        outcome.counts[action]++;
        outcome.applied.push(entryOf(obj));
      } catch (err) {
        outcome.errors.push((err as Error).message);
      }
    };
    // Objects within a stage do not depend on each other (that is what the stages are for): apply a few
    // at a time. Errors are collected in object order for a stable message.
    for (let i = 0; i < batch.length; i += APPLY_CONCURRENCY) {
      await Promise.all(batch.slice(i, i + APPLY_CONCURRENCY).map(applyOne));
    }
    if (signal?.aborted) {
      outcome.timedOut = 'apply';
      return outcome;
    }
    if (outcome.errors.length > 0) return outcome;
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
        return outcome;
      }
    }
  }
  return outcome;
}

/** `force`: an immutable-field error is fixed by deleting and recreating the object, as Flux does. */
async function applyWithRecreate(deps: PullerDeps, obj: KubeObject, force: boolean, signal?: AbortSignal) {
  const call = signal ? { signal } : {};
  try {
    return await deps.kube.apply(obj, { fieldManager: deps.fieldManager, force: true, ...call });
  } catch (err) {
    if (!force || !isImmutableFieldError(err)) throw err;
    await deps.kube.delete(refOf(obj), call);
    return deps.kube.apply(obj, { fieldManager: deps.fieldManager, force: true, ...call });
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
