// Index generations only move forward. A render is stamped with the fetch sequence numbers of the inputs
// it read (the fleet repository and the Kustomization's own source); a write with older inputs is a no-op.
// Numbers are only comparable for the same source: a changed URL or ref starts a new sequence.

export interface Generation {
  fleet: number;
  source: number;
  fleetKey?: string;
  sourceKey?: string;
}

/** True when `next` was rendered from older inputs than `current` in any component. */
export function isOlder(next: Generation, current: Generation | undefined): boolean {
  if (!current) return false;
  const fleetOlder = next.fleetKey === current.fleetKey && next.fleet < current.fleet;
  const sourceOlder = next.sourceKey === current.sourceKey && next.source < current.source;
  return fleetOlder || sourceOlder;
}
