// The publish sequence of a target's records: each new record is numbered above the previous one and never
// below the clock, so a lost or rewritten index entry cannot number new content below content signed before.
import { describe, expect, it } from 'vitest';
import { isSequence, MAX_SEQUENCE_LEAD_MS, nextSequence } from '../../../../shared/core/artifact/sequence.ts';

const NOW = 1_800_000_000_000;

describe('nextSequence', () => {
  it.each<[string, number | undefined, number]>([
    ['the first record of a target takes the clock', undefined, NOW],
    ['a previous sequence behind the clock yields the clock', NOW - 5_000, NOW],
    ['a previous sequence at the clock is counted on', NOW, NOW + 1],
    [
      'a previous sequence a little ahead (another writer, clock skew) is counted on',
      NOW + 60_000,
      NOW + 60_001,
    ],
    ['a lost index entry yields the clock, above every record signed earlier', undefined, NOW],
    [
      'a previous sequence far ahead of the clock (a forged index entry) is ignored',
      NOW + MAX_SEQUENCE_LEAD_MS + 1,
      NOW,
    ],
    ['a previous sequence beyond the safe integers is ignored', Number.MAX_SAFE_INTEGER + 2, NOW],
    ['a negative previous sequence is ignored', -7, NOW],
    ['a fractional previous sequence is ignored', NOW + 0.5, NOW],
  ])('%s', (_case, previous, next) => {
    expect(nextSequence(previous, NOW)).toBe(next);
  });

  it('strictly increases over many publishes within the same millisecond', () => {
    let sequence: number | undefined;
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      sequence = nextSequence(sequence, NOW);
      seen.push(sequence);
    }
    expect(seen).toEqual([NOW, NOW + 1, NOW + 2, NOW + 3, NOW + 4]);
  });
});

describe('isSequence', () => {
  it.each<[unknown, boolean]>([
    [0, true],
    [NOW, true],
    [undefined, false],
    ['51', false],
    [50.5, false],
    [-1, false],
    [Number.MAX_SAFE_INTEGER + 1, false],
  ])('%s → %s', (value, ok) => {
    expect(isSequence(value)).toBe(ok);
  });
});
