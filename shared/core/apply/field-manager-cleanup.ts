// Flux's cleanup before an apply (kustomize-controller's ApplyCleanupOptions, fluxcd/pkg/ssa
// PatchReplaceFieldsManagers): fields set with kubectl (`kubectl apply`, `--server-side`, `edit`, `patch`:
// managers starting with `kubectl`), by `before-first-apply`, or by the puller's own non-apply writes become
// the puller's, and kubectl's last-applied annotation goes. So changes made with kubectl are undone like any
// drift, and fields kubectl added that the artifact does not set are removed at the next apply. An object
// annotated (or labelled) `kustomize.toolkit.fluxcd.io/ssa: Merge` is left out, as in Flux.
// Beyond Flux: the fields Flux's own controllers applied (kustomize-controller, helm-controller) are handed
// over too, so a cluster moved from Flux is adopted in place; otherwise Flux would stay co-owner of every
// field and a field the fleet later drops would stay in the cluster for good.
import type { KubeObject } from '../render/yaml-codec.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Removed with it, as Flux does: what earlier Flux versions left behind. */
const STALE_ANNOTATIONS = [LAST_APPLIED, 'kustomize.toolkit.fluxcd.io/checksum', 'fluxcd.io/sync-checksum'];
const STALE_LABELS = ['fluxcd.io/sync-gc-mark'];

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
  [key: string]: unknown;
}

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: ManagedFieldsEntry[];
}

const metaOf = (obj: KubeObject) => (obj.metadata ?? {}) as Meta;

function isMerge(obj: KubeObject): boolean {
  const { labels, annotations } = metaOf(obj);
  const key = 'kustomize.toolkit.fluxcd.io/ssa';
  return annotations?.[key] === 'Merge' || labels?.[key] === 'Merge';
}

/** The field managers of Flux's controllers, whose objects Sluice adopts when a cluster moves to it. */
export const FLUX_FIELD_MANAGERS = ['kustomize-controller', 'helm-controller'] as const;

const isFluxController = (name: string) => (FLUX_FIELD_MANAGERS as readonly string[]).includes(name);

/** Flux's prefix match on the manager, for the operation, never a subresource's entry. */
function cleanedUp(e: ManagedFieldsEntry, self: string): boolean {
  if (e.subresource) return false;
  const name = e.manager ?? '';
  if (e.operation === 'Apply') return name.startsWith('kubectl') || isFluxController(name);
  if (e.operation === 'Update')
    return (
      name.startsWith('kubectl') ||
      name.startsWith('before-first-apply') ||
      name.startsWith(self) ||
      isFluxController(name)
    );
  return false;
}

function mergeFields(a: unknown, b: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { ...((a ?? {}) as Record<string, unknown>) };
  for (const [key, value] of Object.entries((b ?? {}) as Record<string, unknown>))
    out[key] =
      value !== null && typeof value === 'object' && out[key] !== null && typeof out[key] === 'object'
        ? mergeFields(out[key], value)
        : value;
  return out;
}

/**
 * The merge patch that hands kubectl's fields to `self` and drops the stale annotations and labels of `live`,
 * or undefined when there is nothing to clean (or `desired` or `live` says `ssa: Merge`).
 */
export function cleanupPatch(live: KubeObject, desired: KubeObject, self: string): KubeObject | undefined {
  if (isMerge(desired) || isMerge(live)) return undefined;
  const meta = metaOf(live);
  const entries = meta.managedFields ?? [];
  let mine = entries.find((e) => e.manager === self && e.operation === 'Apply' && !e.subresource);
  const kept: ManagedFieldsEntry[] = [];
  let edited = false;
  for (const e of entries) {
    if (e === mine) continue;
    if (!cleanedUp(e, self)) {
      kept.push(e);
      continue;
    }
    edited = true;
    mine = mine
      ? { ...mine, fieldsV1: mergeFields(mine.fieldsV1, e.fieldsV1) }
      : { ...e, manager: self, operation: 'Apply' };
  }
  const annotations = STALE_ANNOTATIONS.filter((a) => meta.annotations?.[a] !== undefined);
  const labels = STALE_LABELS.filter((l) => meta.labels?.[l] !== undefined);
  if (!edited && annotations.length === 0 && labels.length === 0) return undefined;
  return {
    apiVersion: live.apiVersion,
    kind: live.kind,
    metadata: {
      name: meta.name,
      ...(meta.namespace && { namespace: meta.namespace }),
      ...(edited && mine && { managedFields: [...kept, mine] }),
      ...(annotations.length > 0 && { annotations: Object.fromEntries(annotations.map((a) => [a, null])) }),
      ...(labels.length > 0 && { labels: Object.fromEntries(labels.map((l) => [l, null])) }),
    },
  };
}
