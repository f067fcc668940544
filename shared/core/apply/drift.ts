// Drift as Flux's ssa package decides it: the server-side apply dry-run of what the artifact holds against
// the live object; labels, annotations and everything outside metadata and status compared. Since the dry
// run is the live object with our fields applied, whatever differs is a field we manage that someone
// changed. Reported as field paths only, never values (a Secret's data must not leak into a status).
import type { KubeObject } from '../render/yaml-codec.ts';
import { fieldName } from './json-pointer.ts';

/** At most this many fields are named per object; the count says how many there were. */
export const MAX_DRIFT_FIELDS = 10;

function comparable(obj: KubeObject): Record<string, unknown> {
  const { metadata, status: _status, ...rest } = obj as KubeObject & { status?: unknown };
  const meta = (metadata ?? {}) as { labels?: unknown; annotations?: unknown };
  return { ...rest, metadata: { labels: meta.labels ?? {}, annotations: meta.annotations ?? {} } };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function diff(a: unknown, b: unknown, path: (string | number)[], out: (string | number)[][]): void {
  if (isMap(a) && isMap(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      diff(a[key], b[key], [...path, key], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (const [i, item] of a.entries()) diff(item, b[i], [...path, i], out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
}

/** The fields where the dry run differs from the live object (sorted), e.g. `.spec.replicas`. */
export function driftedFields(live: KubeObject, dryRun: KubeObject): string[] {
  const out: (string | number)[][] = [];
  diff(comparable(live), comparable(dryRun), [], out);
  return out.map(fieldName).sort();
}

/** At most this many objects are named in a report; `objects` counts them all. */
export const MAX_DRIFT_OBJECTS = 20;

/**
 * One object a drift pass put back: the fields it corrected, or `recreated` when it had been deleted. In a
 * pass that only looks (a HelmRelease's driftDetection.mode warn): the fields that differ, or `deleted`.
 */
export interface DriftedObject {
  /** `Kind/namespace/name`. */
  object: string;
  /** The corrected fields (at most MAX_DRIFT_FIELDS); empty when recreated. */
  fields: string[];
  /** How many fields had drifted, when more than are named. */
  moreFields?: number;
  recreated?: true;
  /** Found deleted and left so (a pass that only looks). */
  deleted?: true;
}

/** What a reconcile of an unchanged artifact found changed by hand and corrected. */
export interface DriftSummary {
  /** Objects that had drifted (changed or deleted), all of them. */
  objects: number;
  /** The first MAX_DRIFT_OBJECTS of them. */
  corrected: DriftedObject[];
  /** Found and reported only, as helm-controller's driftDetection.mode warn: nothing was written. */
  notCorrected?: true;
}

/** Fields another field manager had set to other values, which this apply took over (Flux forces them). */
export interface FieldConflictReport {
  object: string;
  /** The other field manager, e.g. `kubectl`. */
  manager: string;
  /** At most MAX_DRIFT_FIELDS fields, as the API server names them. */
  fields: string[];
}

export function driftedObject(object: string, fields: string[]): DriftedObject {
  return {
    object,
    fields: fields.slice(0, MAX_DRIFT_FIELDS),
    ...(fields.length > MAX_DRIFT_FIELDS && { moreFields: fields.length - MAX_DRIFT_FIELDS }),
  };
}

export function driftSummary(drifted: DriftedObject[], notCorrected = false): DriftSummary | undefined {
  if (drifted.length === 0) return undefined;
  return {
    objects: drifted.length,
    corrected: drifted.slice(0, MAX_DRIFT_OBJECTS),
    ...(notCorrected && { notCorrected: true as const }),
  };
}

/** The one-line form for a status message: `2 objects drifted and corrected: ConfigMap/apps/a (.data.x), ...`. */
export function describeDrift(summary: DriftSummary): string {
  const named = summary.corrected.map((d) =>
    d.recreated || d.deleted
      ? `${d.object} (${d.recreated ? 'recreated' : 'deleted'})`
      : `${d.object} (${[...d.fields, ...(d.moreFields ? [`+${d.moreFields} more`] : [])].join(', ')})`,
  );
  const more = summary.objects > named.length ? `, +${summary.objects - named.length} more` : '';
  const n = summary.objects;
  const what = summary.notCorrected
    ? 'drift detected, not corrected (driftDetection.mode: warn),'
    : 'drift corrected';
  return `${what} in ${n} object${n === 1 ? '' : 's'}: ${named.join(', ')}${more}`;
}

/** `field manager conflict: kubectl owned .spec.replicas of Deployment/apps/web; taken over`. */
export function describeConflicts(conflicts: FieldConflictReport[]): string {
  return `field manager conflicts taken over: ${conflicts
    .map((c) => `${c.object} ${c.fields.join(', ')} from "${c.manager}"`)
    .join('; ')}`;
}

const MAX_TEXT = 512;

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v.slice(0, MAX_TEXT) : undefined;
}

function texts(v: unknown): string[] {
  return Array.isArray(v) ? v.slice(0, MAX_DRIFT_FIELDS).flatMap((f) => text(f) ?? []) : [];
}

/**
 * A report's drift and conflicts as the control plane stores them: only these shapes, within the bounds the
 * puller keeps (a report is the cluster's word, and a status must stay small); anything else is dropped.
 */
export function boundedFindings(report: { drift?: unknown; conflicts?: unknown }): {
  drift?: DriftSummary;
  conflicts?: FieldConflictReport[];
} {
  const d = report.drift as { objects?: unknown; corrected?: unknown; notCorrected?: unknown } | undefined;
  const corrected = Array.isArray(d?.corrected)
    ? d.corrected.slice(0, MAX_DRIFT_OBJECTS).flatMap((c): DriftedObject[] => {
        const o = (c ?? {}) as Record<string, unknown>;
        const object = text(o.object);
        if (!object) return [];
        const more = typeof o.moreFields === 'number' && o.moreFields > 0 ? Math.floor(o.moreFields) : 0;
        return [
          {
            object,
            fields: texts(o.fields),
            ...(more > 0 && { moreFields: more }),
            ...(o.recreated === true && { recreated: true as const }),
            ...(o.deleted === true && o.recreated !== true && { deleted: true as const }),
          },
        ];
      })
    : [];
  const objects =
    typeof d?.objects === 'number' && Number.isFinite(d.objects)
      ? Math.max(Math.floor(d.objects), corrected.length)
      : 0;
  const conflicts = Array.isArray(report.conflicts)
    ? report.conflicts.slice(0, MAX_DRIFT_OBJECTS).flatMap((c): FieldConflictReport[] => {
        const o = (c ?? {}) as Record<string, unknown>;
        const object = text(o.object);
        const manager = text(o.manager);
        return object && manager !== undefined ? [{ object, manager, fields: texts(o.fields) }] : [];
      })
    : [];
  return {
    ...(objects > 0 && {
      drift: { objects, corrected, ...(d?.notCorrected === true && { notCorrected: true as const }) },
    }),
    ...(conflicts.length > 0 && { conflicts }),
  };
}
