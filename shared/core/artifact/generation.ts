// Index generations only move forward. A render is stamped with the fetch sequence numbers of the inputs
// it read (the fleet repository and the Kustomization's own source); a write with older inputs is a no-op.

export interface Generation {
  fleet: number;
  source: number;
}

/** True when `next` is strictly newer than `current` and older in no component. */
export function isNewer(next: Generation, current: Generation | undefined): boolean {
  if (!current) return true;
  if (next.fleet < current.fleet || next.source < current.source) return false;
  return next.fleet > current.fleet || next.source > current.source;
}
