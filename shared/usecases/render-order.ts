// Use-case rule: in what order a new revision reaches the targets that render from it. A target declared by
// a parent that renders from the same source waits for that parent's render, which registers what the
// revision declares (the target's own spec, the ConfigMaps it substitutes from) and then queues it; so a
// push renders each target once, from that revision's records. Both halves of the rule live here.
import type { ObjectKey } from '../core/pipeline/state-keys.ts';
import { kustomizationTarget, type Target, targetKey } from '../core/pipeline/target.ts';
import { enqueueRender } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { type StateStore, stateOf } from './state-store.ts';

/** A source moved forward: queue its users that no parent of the same source will queue. Returns how many. */
export async function enqueueSourceRenders(deps: PipelineDeps, sourceKey: string): Promise<number> {
  const state = stateOf(deps);
  const users = await state.listSubscribers(sourceKey);
  const subscribed = new Set(users.map(({ cluster, target }) => `${cluster}/${targetKey(target)}`));
  let queued = 0;
  for (const { cluster, target } of users) {
    if (await parentPassesItOn(state, cluster, target, sourceKey, subscribed)) continue;
    await enqueueRender(deps, cluster, target);
    queued++;
  }
  return queued;
}

/**
 * A parent rendered (or failed, or is suspended) after its source moved: queue the children it declares
 * that render from the same source, except those its registration queued already. Rendered even when the
 * parent failed, as Flux's children keep reconciling their source whatever their parent does.
 */
export async function enqueueChildRenders(
  deps: PipelineDeps,
  cluster: string,
  parent: ObjectKey,
  sourceKey: string,
  children: { declared: string[]; queued: Set<string> },
): Promise<void> {
  if (!sourceKey) return;
  const state = stateOf(deps);
  for (const key of children.declared) {
    if (children.queued.has(key)) continue;
    const [namespace = '', name = ''] = key.split('/');
    const target = kustomizationTarget({ namespace, name });
    const record = await state.getTargetRecord(cluster, target);
    if (record?.sourceKey === sourceKey && sameKey(record.parent, parent))
      await enqueueRender(deps, cluster, target);
  }
}

/** The children a parent declared at its last successful registration, for the failure and suspended paths. */
export async function declaredChildren(
  state: StateStore,
  cluster: string,
  parent: ObjectKey,
): Promise<string[]> {
  return (await state.getDeclarations(cluster, parent))?.kustomizations ?? [];
}

/**
 * Exactly the children enqueueChildRenders queues: same source as a parent that is itself queued by this
 * fetch (subscribed, and recorded with this source). Anything else renders from the fetch directly.
 */
async function parentPassesItOn(
  state: StateStore,
  cluster: string,
  target: Target,
  sourceKey: string,
  subscribed: Set<string>,
): Promise<boolean> {
  const record = await state.getTargetRecord(cluster, target);
  if (!record?.parent || record.sourceKey !== sourceKey) return false;
  const parent = kustomizationTarget(record.parent);
  if (!subscribed.has(`${cluster}/${targetKey(parent)}`)) return false;
  return (await state.getTargetRecord(cluster, parent))?.sourceKey === sourceKey;
}

function sameKey(a: ObjectKey | null, b: ObjectKey): boolean {
  return a?.namespace === b.namespace && a?.name === b.name;
}
