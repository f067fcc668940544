// The hooks a release runs and in which order: each hooked object's events, weight and delete policies as
// helm reads its annotations, and helm's order (kind order first, then a stable sort by weight, then name).
import type { KubeObject } from '../render/yaml-codec.ts';
import { annotationsOf, HOOK_EVENTS, type HookEvent } from './helm-hooks.ts';
import { HELM_HOOK, HELM_HOOK_DELETE_POLICY, HELM_HOOK_WEIGHT } from './helm-release-apply.ts';
import { sortByInstallOrder } from './install-order.ts';

export type { HookEvent };

export const HOOK_DELETE_POLICIES = ['before-hook-creation', 'hook-succeeded', 'hook-failed'] as const;
export type HookDeletePolicy = (typeof HOOK_DELETE_POLICIES)[number];

export interface Hook {
  object: KubeObject;
  kind: string;
  name: string;
  events: HookEvent[];
  weight: number;
  /** As annotated; empty means helm's default, before-hook-creation (see deletePoliciesOf). */
  deletePolicies: HookDeletePolicy[];
}

export function isHook(obj: KubeObject): boolean {
  return annotationsOf(obj)[HELM_HOOK] !== undefined;
}

/** The hook an object is, as helm reads its annotations (unknown events and policies are ignored). */
export function hookOf(obj: KubeObject): Hook {
  const a = annotationsOf(obj);
  const text = (value: unknown) => (value === undefined ? '' : String(value));
  const list = (value: unknown) =>
    text(value)
      .split(',')
      .map((s) => s.trim());
  const weight = text(a[HELM_HOOK_WEIGHT]).trim();
  return {
    object: obj,
    kind: String(obj.kind ?? ''),
    name: String((obj.metadata as { name?: unknown } | undefined)?.name ?? ''),
    events: list(a[HELM_HOOK]).filter((e): e is HookEvent => (HOOK_EVENTS as readonly string[]).includes(e)),
    // strconv.Atoi in helm: anything that is not an integer weighs 0.
    weight: /^[+-]?\d+$/.test(weight) ? Number.parseInt(weight, 10) : 0,
    deletePolicies: list(a[HELM_HOOK_DELETE_POLICY]).filter((p): p is HookDeletePolicy =>
      (HOOK_DELETE_POLICIES as readonly string[]).includes(p),
    ),
  };
}

/** Helm 3 and 4 delete a hook before creating it again unless it asks otherwise. */
export function deletePoliciesOf(hook: Hook): HookDeletePolicy[] {
  return hook.deletePolicies.length > 0 ? hook.deletePolicies : ['before-hook-creation'];
}

/** An artifact's objects split into the release's objects and its hooks (in helm's kind order). */
export function splitHooks(objects: readonly KubeObject[]): { release: KubeObject[]; hooks: Hook[] } {
  const release: KubeObject[] = [];
  const hooks: Hook[] = [];
  for (const obj of objects) {
    if (isHook(obj)) hooks.push(hookOf(obj));
    else release.push(obj);
  }
  return { release, hooks: sortByInstallOrder(hooks, (h) => h.object) };
}

/** The hooks of one event in the order helm runs them: weight, then name; ties keep kind order. */
export function hooksFor(event: HookEvent, hooks: readonly Hook[]): Hook[] {
  return sortByInstallOrder(
    hooks.filter((h) => h.events.includes(event)),
    (h) => h.object,
  ).sort((a, b) => a.weight - b.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
