// PullerTelemetry as the probes and a scraper see it over time: ready after a full pass and until it goes
// stale or a round fails, wedged after long silence, drift counted per target, a removed target's series gone.
import { describe, expect, it } from 'vitest';
import { oldestWaitSeconds } from '../../../puller/run-puller.ts';
import type { ApplyReport } from '../../../shared/core/pipeline/jobs.ts';
import type { Target } from '../../../shared/core/pipeline/target.ts';
import { PullerTelemetry } from '../../../shared/usecases/puller/puller-telemetry.ts';
import { recordReconcile } from '../../../shared/usecases/puller/record-reconcile.ts';
import { parseExposition } from '../../support/prometheus-text.ts';

const MIN = 60_000;
const APPS: Target = { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' };
const reading = { residentBytes: 50 * 1024 ** 2, heapUsedBytes: 1, cpuSeconds: 0.5 };

function telemetry() {
  const clock = { t: Date.parse('2026-06-01T00:00:00Z') };
  return { clock, t: new PullerTelemetry({ now: () => clock.t }, { intervalMs: MIN }) };
}

function samples(t: PullerTelemetry, family: string) {
  return parseExposition(t.exposition(reading)).get(family)?.samples ?? [];
}

describe('PullerTelemetry', () => {
  it('is ready after a full pass, until three intervals pass without another', () => {
    const { clock, t } = telemetry();
    t.passCompleted(false, 0.1);
    expect(t.readiness().ok).toBe(false);
    t.passCompleted(true, 0.1);
    expect(t.readiness().ok).toBe(true);
    clock.t += 3 * MIN + 1000;
    expect(t.readiness()).toEqual({
      ok: false,
      reason: 'the latest full pass completed 181 s ago (limit 180 s)',
    });
  });

  it('is not ready from a failed round until the next full pass completes', () => {
    const { clock, t } = telemetry();
    expect(samples(t, 'sluice_puller_loop_failures_total')[0]?.value).toBe(0);
    t.passCompleted(true, 0.1);
    clock.t += 1000;
    t.passFailed();
    expect(t.readiness().ok).toBe(false);
    clock.t += 1000;
    t.passCompleted(true, 0.1);
    expect(t.readiness().ok).toBe(true);
    expect(samples(t, 'sluice_puller_loop_failures_total')[0]?.value).toBe(1);
  });

  it('is live while the loop beats, and wedged after 30 minutes of silence', () => {
    const { clock, t } = telemetry();
    clock.t += 29 * MIN;
    t.heartbeat();
    clock.t += 29 * MIN;
    expect(t.liveness().ok).toBe(true);
    clock.t += 2 * MIN;
    expect(t.liveness()).toEqual({
      ok: false,
      reason: 'the loop made no progress for 1860 s (limit 1800 s)',
    });
  });

  it('counts drift corrections per target and forgets a removed target', () => {
    const { t } = telemetry();
    t.driftCorrected(APPS, 3);
    t.driftCorrected(APPS, 0);
    t.reconciled(APPS, { ready: true, reason: 'ReconciliationSucceeded' }, 0.2);
    expect(samples(t, 'sluice_puller_drift_corrections_total')).toEqual([
      {
        name: 'sluice_puller_drift_corrections_total',
        labels: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
        value: 3,
      },
    ]);
    t.forget(APPS);
    for (const family of [
      'sluice_puller_drift_corrections_total',
      'sluice_puller_reconcile_total',
      'sluice_puller_reconcile_duration_seconds',
      'sluice_puller_last_success_timestamp_seconds',
    ])
      expect(samples(t, family)).toEqual([]);
  });

  it('writes the process readings it is given', () => {
    const { t } = telemetry();
    expect(samples(t, 'process_resident_memory_bytes')[0]?.value).toBe(50 * 1024 ** 2);
    expect(samples(t, 'process_cpu_seconds_total')[0]?.value).toBe(0.5);
  });
});

describe('the loop helpers', () => {
  it('measures queue lag from the oldest message the queue timed', () => {
    const msg = (sentAt?: number) => ({
      id: '',
      body: '',
      receiptHandle: '',
      receiveCount: 1,
      attributes: {},
      ...(sentAt !== undefined && { sentAt }),
    });
    expect(oldestWaitSeconds([], 10_000)).toBe(0);
    expect(oldestWaitSeconds([msg(7_000), msg(4_000), msg()], 10_000)).toBe(6);
    expect(oldestWaitSeconds([msg(12_000)], 10_000)).toBe(0);
  });

  const report = (
    name: string,
    at: string,
    ready: boolean,
    digest = 'sha256:1',
    applied = 0,
  ): ApplyReport => ({
    kind: 'apply-report',
    cluster: 'edge',
    target: { ...APPS, name },
    digest,
    revision: '',
    ready,
    reason: ready ? 'ReconciliationSucceeded' : 'HealthCheckFailed',
    message: '',
    applied,
    pruned: 0,
    at,
  });

  it('times each reconcile as it was measured', () => {
    const { t } = telemetry();
    const digests = new Map<string, string>();
    recordReconcile(t, digests, report('a', '2026-06-01T00:00:00.000Z', true), 2);
    recordReconcile(t, digests, report('b', '2026-06-01T00:00:02.000Z', false), 5);
    const sums = samples(t, 'sluice_puller_reconcile_duration_seconds').filter((s) =>
      s.name.endsWith('_sum'),
    );
    expect(sums.map((s) => [s.labels.name, s.value])).toEqual([
      ['a', 2],
      ['b', 5],
    ]);
  });

  it("counts as drift corrections the objects a report's drift summary names, not what was written", () => {
    const { t } = telemetry();
    const digests = new Map<string, string>();
    const pass = (applied: number, drifted?: number, notCorrected?: true) =>
      recordReconcile(
        t,
        digests,
        {
          ...report('a', '2026-06-01T00:00:00.000Z', true, 'sha256:1', applied),
          ...(drifted !== undefined && { drift: { objects: drifted, corrected: [], notCorrected } }),
        },
        1,
      );
    pass(4); // an apply of a new artifact: no drift pass
    pass(0);
    pass(3, 2); // two objects had drifted (a third was written for a conflict)
    pass(0, 5, true); // driftDetection.mode warn: reported, not corrected, not counted
    expect(samples(t, 'sluice_puller_drift_corrections_total').map((s) => s.value)).toEqual([2]);
  });
});
