// The tree sops' walker sees (SPEC-SOPS §9): ordered maps and sequences whose items may be comments.
// Stores build it from a file and read the decrypted leaves back; `origin` lets a store find its own node again.

import type { SopsComment, SopsLeaf } from './value-types.ts';

/** A map entry (`key` set), a sequence element (no key) or a comment item (`comment` set, no value). */
export interface TreeItem {
  key?: string;
  comment?: SopsComment;
  value: TreeValue;
  /** The store's own node (a YAML scalar, …) this item came from. */
  origin?: unknown;
}

export interface TreeMap {
  kind: 'map';
  items: TreeItem[];
}

export interface TreeSeq {
  kind: 'seq';
  items: TreeItem[];
}

export type TreeValue = TreeMap | TreeSeq | SopsLeaf;

/** One branch per YAML document (one for the other stores); each a top-level map. */
export type SopsTree = TreeMap[];

export function isContainer(v: TreeValue): v is TreeMap | TreeSeq {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && 'kind' in v;
}

/** Plain JS view of a branch (comments dropped, ints as numbers when safe): what callers and tests compare. */
export function toPlain(v: TreeValue): unknown {
  if (!isContainer(v)) {
    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    return v;
  }
  if (v.kind === 'seq') return v.items.filter((i) => !i.comment).map((i) => toPlain(i.value));
  const out: Record<string, unknown> = {};
  for (const i of v.items) if (i.key !== undefined && !i.comment) out[i.key] = toPlain(i.value);
  return out;
}
