// What a source's declarers add up to: every declaration in a fixed order, the shortest interval among
// them, and a description for messages. Pure: the same records give the same result whoever wrote last.
import type { DeclarerRef, FetchSpec, SourceDeclarer } from './records.ts';

export interface SourceDeclarations {
  /** Sorted: the fleet repository first, then by cluster, namespace and name. */
  declarers: SourceDeclarer[];
  /** The shortest interval any declarer asks for; undefined when nothing declares the source any more. */
  intervalMs: number | undefined;
  /** For messages and `sluice status`: every declarer, in order. */
  declaredBy: string;
  /** Every declarer sets spec.suspend: the source is not fetched (Flux's suspended source). */
  suspended: boolean;
}

export function describeDeclarer(d: DeclarerRef): string {
  const ref = `${d.kind ?? 'GitRepository'}/${d.namespace}/${d.name}`;
  return d.cluster === undefined ? `${ref} (the fleet repository)` : `${ref} (cluster ${d.cluster})`;
}

const order = (d: DeclarerRef) => [d.cluster === undefined ? 0 : 1, d.cluster ?? '', d.namespace, d.name];

function compare(a: DeclarerRef, b: DeclarerRef): number {
  const [x, y] = [order(a), order(b)];
  for (let i = 0; i < x.length; i++) {
    const [p, q] = [x[i] as string | number, y[i] as string | number];
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

/**
 * `spec`'s own interval and declaredBy were written by the previous version (one declarer, the last to
 * write): they count only while no declarer record exists, so a source recorded before keeps its schedule.
 */
export function mergeDeclarations(spec: FetchSpec, declarers: SourceDeclarer[]): SourceDeclarations {
  if (declarers.length === 0) {
    return {
      declarers: [],
      intervalMs: spec.intervalMs,
      declaredBy: spec.declaredBy ?? `source ${spec.sourceKey} (declared by nothing any more)`,
      suspended: false,
    };
  }
  const sorted = [...declarers].sort(compare);
  return {
    declarers: sorted,
    intervalMs: Math.min(...sorted.map((d) => d.intervalMs)),
    declaredBy: sorted.map(describeDeclarer).join(', '),
    suspended: sorted.every((d) => d.suspended === true),
  };
}

/** Only the reference of a declarer: what the status view shows and the CLI looks sources up by. */
export function declarerRef(d: DeclarerRef): DeclarerRef {
  return {
    ...(d.cluster !== undefined && { cluster: d.cluster }),
    ...(d.kind !== undefined && d.kind !== 'GitRepository' && { kind: d.kind }),
    namespace: d.namespace,
    name: d.name,
  };
}
