// Flux's drift ignore rules (a Kustomization's `spec.ignore` since Flux 2.9, a HelmRelease's
// `driftDetection.ignore`; fluxcd/pkg/ssa DriftIgnoreRules): JSON pointers to
// fields that other controllers own (an HPA's replicas), optionally scoped by a target selector whose
// group/version/kind/name/namespace are anchored regular expressions. Ignored fields are left out of the
// drift comparison, and a drifted one keeps its live value: stripped from what is applied when another
// manager applied it, else applied with its live value, so it is never reverted.
import type { KubeObject } from '../render/yaml-codec.ts';
import { pointerTokens, readPointer, removePointer, setPointer } from './json-pointer.ts';
import { parseLabelSelector } from './label-selector.ts';

export interface ObjectSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface DriftIgnoreRule {
  /** RFC 6901 JSON pointers, e.g. `/spec/replicas`. */
  paths: string[];
  /** Unset: every object of the target. */
  target?: ObjectSelector;
}

export type ObjectMatcher = (obj: KubeObject) => boolean;

/** The problem with a rule (a bad pointer, regular expression or selector), for the decoder to name. */
export function ruleProblem(rule: DriftIgnoreRule): { field: string; problem: string } | undefined {
  for (const [i, p] of rule.paths.entries())
    if (!pointerTokens(p) || p === '')
      return { field: `paths[${i}]`, problem: 'must be a JSON pointer starting with /' };
  for (const key of ['group', 'version', 'kind', 'name', 'namespace'] as const) {
    const re = rule.target?.[key];
    if (re === undefined) continue;
    try {
      new RegExp(re);
    } catch {
      return { field: `target.${key}`, problem: 'is not a valid regular expression' };
    }
  }
  for (const key of ['labelSelector', 'annotationSelector'] as const) {
    const expr = rule.target?.[key];
    if (expr === undefined) continue;
    try {
      parseLabelSelector(expr);
    } catch {
      return { field: `target.${key}`, problem: 'is not a valid label selector expression' };
    }
  }
  return undefined;
}

function selectorMatcher(s: ObjectSelector | undefined): ObjectMatcher {
  if (!s) return () => true;
  const anchored = (re: string | undefined) => (re ? new RegExp(`^(?:${re})$`) : undefined);
  const group = anchored(s.group);
  const version = anchored(s.version);
  const kind = anchored(s.kind);
  const name = anchored(s.name);
  const namespace = anchored(s.namespace);
  const labels = s.labelSelector ? parseLabelSelector(s.labelSelector) : undefined;
  const annotations = s.annotationSelector ? parseLabelSelector(s.annotationSelector) : undefined;
  return (obj) => {
    const meta = (obj.metadata ?? {}) as {
      name?: string;
      namespace?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    const apiVersion = String(obj.apiVersion ?? '');
    const slash = apiVersion.lastIndexOf('/');
    const g = slash < 0 ? '' : apiVersion.slice(0, slash);
    const v = apiVersion.slice(slash + 1);
    return (
      (!group || group.test(g)) &&
      (!version || version.test(v)) &&
      (!kind || kind.test(String(obj.kind ?? ''))) &&
      (!name || name.test(meta.name ?? '')) &&
      (!namespace || namespace.test(meta.namespace ?? '')) &&
      (!labels || labels(meta.labels)) &&
      (!annotations || annotations(meta.annotations))
    );
  };
}

/** Rules compiled once per apply: the pointers ignored for one object (matched on what is applied). */
export function compileIgnoreRules(rules: DriftIgnoreRule[]): (obj: KubeObject) => string[] {
  const compiled = rules.map((r) => ({ match: selectorMatcher(r.target), paths: r.paths }));
  return (obj) => compiled.flatMap((r) => (r.match(obj) ? r.paths : []));
}

/** A copy without the ignored fields, for the drift comparison. */
export function withoutFields(obj: KubeObject, pointers: string[]): KubeObject {
  const copy = structuredClone(obj);
  for (const p of pointers) removePointer(copy, p);
  return copy;
}

/**
 * What to apply so that ignored fields which drifted keep their live value: removed from the applied object
 * when another manager's Apply entry owns the field (so that manager keeps it), else set to the live value
 * (removed when the live object has none). `managerOwns` answers from the live object's managedFields.
 */
export function keepIgnoredFields(
  applied: KubeObject,
  live: KubeObject,
  dryRun: KubeObject,
  pointers: string[],
  otherManagerOwns: (pointer: string) => boolean,
): KubeObject {
  const out = structuredClone(applied);
  for (const p of pointers) {
    const was = readPointer(live, p);
    const would = readPointer(dryRun, p);
    if (was.found === would.found && JSON.stringify(was.value) === JSON.stringify(would.value)) continue;
    if (!was.found || otherManagerOwns(p)) removePointer(out, p);
    else if (readPointer(out, p).found) setPointer(out, p, structuredClone(was.value));
    else setPointerCreating(out, p, structuredClone(was.value));
  }
  return out;
}

/** Sets a map field, creating the maps on its way (a list index on the way: left as it is). */
function setPointerCreating(root: KubeObject, pointer: string, value: unknown): void {
  const tokens = pointerTokens(pointer) ?? [];
  let node: unknown = root;
  for (const token of tokens.slice(0, -1)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const map = node as Record<string, unknown>;
    if (map[token] === undefined) map[token] = {};
    node = map[token];
  }
  if (node !== null && typeof node === 'object' && !Array.isArray(node))
    (node as Record<string, unknown>)[tokens[tokens.length - 1] as string] = value;
}

/**
 * Whether a manager other than `self` owns the field in an Apply entry of the main resource (not a
 * subresource), read from the live object's managedFields (FieldsV1: `f:spec` → `f:replicas`). A pointer
 * through a list cannot be resolved without the list's keys: treated as not owned by another (adopt), as
 * Flux does when it cannot resolve the path.
 */
export function ownedByOtherApplier(live: KubeObject, self: string): (pointer: string) => boolean {
  const entries = (((live.metadata ?? {}) as { managedFields?: unknown }).managedFields ?? []) as {
    manager?: string;
    operation?: string;
    subresource?: string;
    fieldsV1?: Record<string, unknown>;
  }[];
  const others = entries.filter((e) => e.operation === 'Apply' && !e.subresource && e.manager !== self);
  return (pointer) => {
    const tokens = pointerTokens(pointer) ?? [];
    if (tokens.length === 0 || tokens.some((t) => /^[0-9]+$/.test(t))) return false;
    return others.some((e) => {
      let node: unknown = e.fieldsV1;
      for (const t of tokens) {
        if (node === null || typeof node !== 'object') return false;
        node = (node as Record<string, unknown>)[`f:${t}`];
        if (node === undefined) return false;
      }
      return true;
    });
  };
}
