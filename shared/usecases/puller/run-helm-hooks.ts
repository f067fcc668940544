// Runs the Helm hooks of one event as helm's execHook does: in weight order, each one deleted first
// (before-hook-creation), applied, and for Jobs and Pods waited on until they finish; hook-succeeded and
// hook-failed delete afterwards. Stops at the first failing hook and says which one failed and why.
import { describeRef, refOf } from '../../core/apply/object-ref.ts';
import { deletePoliciesOf, type Hook, type HookEvent, hooksFor } from '../../core/helm/hook-order.ts';
import { type HookRecord, hookRecord } from '../../core/helm/release-record.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import type { PullerDeps } from './puller-deps.ts';

export interface HookRunOutcome {
  /** The hooks of this event as the release record keeps them (with their last run). */
  records: HookRecord[];
  /** The failing hook (`Job/ns/name`) and why; undefined when every hook succeeded. */
  failure?: { hook: string; message: string };
}

export interface HookRunOptions {
  chartName: string;
  /** Bounds each hook's wait and deletion (helm's --timeout). */
  timeoutMs: number;
  /** The target's own deadline. */
  signal?: AbortSignal;
}

export async function runHelmHooks(
  deps: PullerDeps,
  event: HookEvent,
  hooks: readonly Hook[],
  opts: HookRunOptions,
): Promise<HookRunOutcome> {
  const ordered = hooksFor(event, hooks);
  const records: HookRecord[] = [];
  const at = () => new Date(deps.clock.now()).toISOString();
  for (const [i, hook] of ordered.entries()) {
    const started = at();
    const label = describeRef(refOf(hook.object));
    const deadline = AbortSignal.timeout(opts.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
    let message: string | undefined;
    try {
      if (deletePoliciesOf(hook).includes('before-hook-creation')) await deleteHook(deps, hook, signal);
      await deps.kube.apply(hook.object, { fieldManager: deps.fieldManager, force: true, signal });
      message = await waitHook(deps, hook.object, signal);
    } catch (err) {
      message = signal.aborted
        ? `not finished within ${Math.round(opts.timeoutMs / 1000)}s (timeout)`
        : (err as Error).message;
    }
    const phase = message === undefined ? 'Succeeded' : 'Failed';
    records.push(hookRecord(opts.chartName, hook, { started_at: started, completed_at: at(), phase }));
    if (message !== undefined) {
      // As helm: the failed hook goes if it asks to, and the ones before it that succeeded go too.
      // Best effort within the hook timeout: the failure is what the report is about.
      const bounded = AbortSignal.timeout(opts.timeoutMs);
      if (deletePoliciesOf(hook).includes('hook-failed'))
        await deleteHook(deps, hook, bounded).catch(() => {});
      for (const done of ordered.slice(0, i))
        if (deletePoliciesOf(done).includes('hook-succeeded'))
          await deleteHook(deps, done, bounded).catch(() => {});
      return { records, failure: { hook: label, message } };
    }
  }
  // helm deletes succeeded hooks last to first, once the whole event is through.
  for (const hook of [...ordered].reverse())
    if (deletePoliciesOf(hook).includes('hook-succeeded'))
      await deleteHook(deps, hook, AbortSignal.timeout(opts.timeoutMs));
  return { records };
}

/** Deletes a hook and waits until it is gone, so the next one of the same name starts clean. */
async function deleteHook(deps: PullerDeps, hook: Hook, signal?: AbortSignal): Promise<void> {
  // helm never deletes a CRD hook.
  if (hook.kind === 'CustomResourceDefinition') return;
  const ref = refOf(hook.object);
  const call = signal ? { signal } : {};
  await deps.kube.delete(ref, call);
  while (await deps.kube.get(ref, call)) {
    if (signal?.aborted) throw new Error('not deleted in time');
    await deps.sleep(250);
  }
}

/** undefined once the hook succeeded; the reason when it failed. Only Jobs and Pods are waited on. */
async function waitHook(deps: PullerDeps, obj: KubeObject, signal: AbortSignal): Promise<string | undefined> {
  const kind = String(obj.kind ?? '');
  if (kind !== 'Job' && kind !== 'Pod') return undefined;
  for (;;) {
    const live = await deps.kube.get(refOf(obj), { signal });
    const status = (live?.status ?? {}) as {
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
      phase?: string;
    };
    if (kind === 'Job') {
      const cond = (type: string) => status.conditions?.find((c) => c.type === type && c.status === 'True');
      if (cond('Complete')) return undefined;
      const failed = cond('Failed');
      if (failed)
        return `job failed: ${failed.reason ?? 'Failed'}${failed.message ? `: ${failed.message}` : ''}`;
    } else {
      if (status.phase === 'Succeeded') return undefined;
      if (status.phase === 'Failed') return 'pod failed';
    }
    if (signal.aborted) throw new Error('timeout');
    await deps.sleep(500);
  }
}
