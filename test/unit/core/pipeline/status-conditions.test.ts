import { describe, expect, it } from 'vitest';
import type { ApplyReport } from '../../../../shared/core/pipeline/jobs.ts';
import { conditionsOf } from '../../../../shared/core/pipeline/status-conditions.ts';

const report = (fields: Partial<ApplyReport>): ApplyReport => ({
  kind: 'apply-report',
  cluster: 'dev',
  target: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
  digest: '',
  revision: 'main@sha1:1',
  ready: true,
  reason: 'ReconciliationSucceeded',
  message: 'Applied revision: main@sha1:1',
  applied: 1,
  pruned: 0,
  at: '2026-11-30T12:00:00Z',
  ...fields,
});

describe("a target's conditions, as Flux shows them", () => {
  it('Ready only, when it applied', () => {
    expect(conditionsOf(report({}))).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'ReconciliationSucceeded',
        message: 'Applied revision: main@sha1:1',
      },
    ]);
  });

  it('Ready False and Reconciling with retry, when a retry can help', () => {
    const c = conditionsOf(
      report({ ready: false, reason: 'HealthCheckFailed', message: 'timeout waiting for: [...]' }),
    );
    expect(c.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['Ready', 'False', 'HealthCheckFailed'],
      ['Reconciling', 'True', 'ProgressingWithRetry'],
    ]);
  });

  it('Ready False and Stalled, when nothing changes until someone acts', () => {
    const c = conditionsOf(
      report({ ready: false, reason: 'ArtifactRejected', message: 'rollback refused', stalled: true }),
    );
    expect(c.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['Ready', 'False', 'ArtifactRejected'],
      ['Stalled', 'True', 'ArtifactRejected'],
    ]);
  });
});
