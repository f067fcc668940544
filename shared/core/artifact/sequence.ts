// The publish sequence: orders every record (artifact or tombstone) the control plane signs for one target.
// It strictly increases with each new digest, so the puller can refuse anything not newer than it applied.

/** How far ahead of the clock a previous sequence may be before it is taken for a forged index entry. */
export const MAX_SEQUENCE_LEAD_MS = 24 * 60 * 60_000;

/**
 * The sequence of the next record with new content. `previous` comes from the index entry, kept by the
 * target's single writer (its render job, one FIFO group); `now` is the clock in milliseconds. Never below
 * the clock: a lost or rewritten index entry cannot make a new record look older than records signed
 * before, and two writers racing at the same previous value get distinct numbers unless in the same
 * millisecond (and then the puller refuses the second as not newer: a refusal, never an acceptance).
 * A previous value far ahead of the clock was not written by the control plane and is ignored, so a store
 * writer cannot push the sequence towards the end of the safe integers.
 */
export function nextSequence(previous: number | undefined, now: number): number {
  const clock = Math.floor(now);
  const trusted =
    typeof previous === 'number' &&
    Number.isSafeInteger(previous) &&
    previous >= 0 &&
    previous <= clock + MAX_SEQUENCE_LEAD_MS;
  return Math.max(trusted ? previous + 1 : 0, clock);
}

/** A sequence as the puller accepts it in a signed record. */
export function isSequence(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
