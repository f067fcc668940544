// The probes' rules: alive while the loop makes progress; ready once a full pass completed recently and no
// round failed since.
import { describe, expect, it } from 'vitest';
import { healthPolicy, liveness, readiness } from '../../../../shared/core/pipeline/puller-health.ts';

const MIN = 60_000;
const policy = healthPolicy(MIN);

describe('healthPolicy', () => {
  it('allows three intervals for a full pass and at least 30 minutes without progress', () => {
    expect(healthPolicy(MIN)).toEqual({ wedgedAfterMs: 30 * MIN, staleAfterMs: 3 * MIN });
    expect(healthPolicy(60 * MIN).wedgedAfterMs).toBe(180 * MIN);
  });
});

describe('liveness', () => {
  it.each([
    ['holds with progress a minute ago', 9 * MIN, 10 * MIN, true],
    ['holds with the last progress exactly at the limit', 10 * MIN, 40 * MIN, true],
    ['fails with no progress for longer than the limit', 9 * MIN, 40 * MIN, false],
  ])('%s', (_, lastProgressAt, now, ok) => {
    expect(liveness({ startedAt: 0, lastProgressAt }, now, policy).ok).toBe(ok);
  });
});

describe('readiness', () => {
  const now = 100 * MIN;
  it.each([
    ['before any full pass', {}, false, 'no full pass has completed yet'],
    [
      'after a recent full pass',
      { lastFullPassAt: now - MIN },
      true,
      'the latest full pass completed 60 s ago',
    ],
    [
      'when a round failed after it',
      { lastFullPassAt: now - MIN, lastFailureAt: now - 1000 },
      false,
      'the latest round failed 1 s ago',
    ],
    [
      'once a full pass succeeded after the failure',
      { lastFullPassAt: now - 1000, lastFailureAt: now - MIN },
      true,
      'the latest full pass completed 1 s ago',
    ],
    [
      'when the latest full pass is older than three intervals',
      { lastFullPassAt: now - 4 * MIN },
      false,
      'the latest full pass completed 240 s ago (limit 180 s)',
    ],
  ])('%s', (_, marks, ok, reason) => {
    expect(readiness({ startedAt: 0, lastProgressAt: now, ...marks }, now, policy)).toEqual({ ok, reason });
  });
});
