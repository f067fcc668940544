// Index generations only move forward. A render is stamped with the fetch sequence numbers of the inputs
// it read (the fleet repository and the Kustomization's own source); a write with older inputs is a no-op.

export interface Generation {
  fleet: number;
  source: number;
}

/** True when `next` was rendered from older inputs than `current` in any component. */
export function isOlder(next: Generation, current: Generation | undefined): boolean {
  if (!current) return false;
  return next.fleet < current.fleet || next.source < current.source;
}
