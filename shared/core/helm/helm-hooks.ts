// Helm's hook rules as releaseutil.SortManifests applies them: an object is a hook when it carries
// `helm.sh/hook`; an unknown event drops the object; `test` hooks (and Helm 2's `test-success`) are tests.
import type { KubeObject } from '../render/yaml-codec.ts';
import { HELM_HOOK } from './helm-release-apply.ts';

/** The events helm runs hooks for (`test` is `helm test`'s). */
export const HOOK_EVENTS = [
  'pre-install',
  'post-install',
  'pre-delete',
  'post-delete',
  'pre-upgrade',
  'post-upgrade',
  'pre-rollback',
  'post-rollback',
  'test',
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** What helm accepts in `helm.sh/hook`: the events above and Helm 2's `test-success`. */
const KNOWN_EVENTS = new Set<string>([...HOOK_EVENTS, 'test-success']);

export type HookKind = 'none' | 'hook' | 'test' | 'unknown';

/** An object's annotations; none when metadata or annotations are missing or not a map. */
export function annotationsOf(obj: KubeObject): Record<string, unknown> {
  const meta = obj.metadata;
  if (!meta || typeof meta !== 'object') return {};
  const annotations = (meta as Record<string, unknown>).annotations;
  return annotations && typeof annotations === 'object' ? (annotations as Record<string, unknown>) : {};
}

/** What Helm makes of an object: a release object, a hook, a test hook, or one it skips. */
export function hookKind(obj: KubeObject): HookKind {
  const value = annotationsOf(obj)[HELM_HOOK];
  if (value === undefined) return 'none';
  const events = String(value)
    .split(',')
    .map((e) => e.trim().toLowerCase());
  if (events.some((e) => !KNOWN_EVENTS.has(e))) return 'unknown';
  return events.some((e) => e === 'test' || e === 'test-success') ? 'test' : 'hook';
}
