// The unit of work: one object of one kind in a cluster's fleet (a Kustomization today; a HelmRelease
// next). Jobs, records, store keys, artifacts, reports and inventories are all keyed by it, never by name alone.
import type { ObjectKey } from './state-keys.ts';

/** Kinds Sluice renders and applies; only Kustomization has a renderer yet. */
export const TARGET_KINDS = ['Kustomization', 'HelmRelease'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface Target {
  kind: TargetKind;
  namespace: string;
  name: string;
}

export function isTargetKind(value: unknown): value is TargetKind {
  return (TARGET_KINDS as readonly unknown[]).includes(value);
}

/** `Kind/namespace/name`: the canonical key, unique across kinds (what maps, sets and store keys use). */
export function targetKey(t: Target): string {
  return `${t.kind}/${t.namespace}/${t.name}`;
}

/** The inverse of targetKey; undefined for anything that is not one. */
export function parseTargetKey(key: string): Target | undefined {
  const [kind, namespace, name, ...rest] = key.split('/');
  if (!isTargetKind(kind) || !namespace || !name || rest.length > 0) return undefined;
  return { kind, namespace, name };
}

/** Human form for messages and logs: `Kustomization 'ns/name'`. */
export function describeTarget(t: Target): string {
  return `${t.kind} '${t.namespace}/${t.name}'`;
}

export function kustomizationTarget(key: ObjectKey): Target {
  return { kind: 'Kustomization', namespace: key.namespace, name: key.name };
}

/** Only the kind, namespace and name, whatever else the value carries (a record, an entry). */
export function toTarget(t: Target): Target {
  return { kind: t.kind, namespace: t.namespace, name: t.name };
}
