// The report of `sluice check`: one verdict per Flux object and the totals, in the stable JSON shape the
// README documents (field order fixed here, objects sorted by file, then kind, namespace and name).

export type Verdict = 'delivered' | 'different' | 'unsupported' | 'error';

export const VERDICTS: readonly Verdict[] = ['delivered', 'different', 'unsupported', 'error'];

export interface CheckedObject {
  kind: string;
  namespace: string;
  name: string;
  file: string;
  verdict: Verdict;
  /** '' when there is nothing to say. */
  reason: string;
}

export interface CheckReport {
  summary: Record<Verdict, number>;
  objects: CheckedObject[];
}

/** The report of these objects: each once (the first seen wins), sorted, with the totals. */
export function checkReport(objects: readonly CheckedObject[]): CheckReport {
  const byKey = new Map<string, CheckedObject>();
  for (const o of objects) {
    const key = `${o.kind}/${o.namespace}/${o.name}`;
    if (!byKey.has(key)) byKey.set(key, o);
  }
  const sorted = [...byKey.values()]
    .map(({ kind, namespace, name, file, verdict, reason }) => ({
      kind,
      namespace,
      name,
      file,
      verdict,
      reason,
    }))
    .sort(
      (a, b) =>
        order(a.file, b.file) ||
        order(a.kind, b.kind) ||
        order(a.namespace, b.namespace) ||
        order(a.name, b.name),
    );
  const summary = { delivered: 0, different: 0, unsupported: 0, error: 0 };
  for (const o of sorted) summary[o.verdict]++;
  return { summary, objects: sorted };
}

/** 1 when anything is unsupported or could not be rendered: the fleet cannot move as it is. */
export function exitCodeOf(report: CheckReport): 0 | 1 {
  return report.summary.unsupported > 0 || report.summary.error > 0 ? 1 : 0;
}

// Code-point order, not the locale's: the JSON is stable across machines.
function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
