// `sluice status` says why the APPLIED column is empty (or old): no puller, or one that plays another cluster.
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../../cli/commands/status.ts';
import type { StatusView } from '../../../shared/usecases/read-status.ts';

const apps = (applied: boolean): StatusView['clusters'][number]['kustomizations'][number] => ({
  kind: 'Kustomization',
  namespace: 'flux-system',
  name: 'apps',
  artifact: {
    target: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
    generation: { fleet: 1, source: 1 },
    revision: 'main@sha1:abc',
    renderKey: 'k',
    publishedAt: '2026-01-01T00:00:00Z',
    digest: 'sha256:0123456789abcdef',
    artifactKey: 'a',
  },
  ...(applied && {
    apply: {
      kind: 'apply-report',
      target: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
      ready: true,
      reason: 'ReconciliationSucceeded',
      message: 'Applied',
    } as never,
  }),
});

const view = (localPuller: StatusView['localPuller'], applied = false): StatusView => ({
  sources: [],
  clusters: [{ name: 'dev', kustomizations: [apps(applied)] }],
  ...(localPuller && { localPuller }),
});

const appliedLine = (v: StatusView) =>
  formatStatus(v)
    .split('\n')
    .find((l) => l.startsWith('APPLIED:'));

describe('the APPLIED line of sluice status', () => {
  it.each([
    [
      'no puller is running, nothing applied',
      view({ state: 'off', reason: 'disabled (--no-puller)' }),
      'APPLIED: nothing applied: no puller is running (disabled (--no-puller)); see what would be applied with: sluice get artifact dev/apps',
    ],
    [
      'no puller is running, applied before',
      view({ state: 'off', reason: 'disabled (--no-puller)' }, true),
      'APPLIED: no puller is running (disabled (--no-puller)); the column shows its last run',
    ],
    [
      'the local puller plays another cluster',
      view({ state: 'running', cluster: 'prod' }),
      'APPLIED: nothing applied: the local puller plays cluster "prod", not this one; see what would be applied with: sluice get artifact dev/apps',
    ],
    [
      'no local puller (the cloud), nothing reported',
      view(undefined),
      'APPLIED: nothing applied: no puller of this cluster has reported yet; see what would be applied with: sluice get artifact dev/apps',
    ],
    ['the local puller of this cluster', view({ state: 'running', cluster: 'dev' }), undefined],
    ['applied, puller running', view({ state: 'running', cluster: 'dev' }, true), undefined],
  ])('%s', (_case, v, line) => {
    expect(appliedLine(v)).toBe(line);
  });
});

describe('the APPLIED column of sluice status', () => {
  const withApply = (apply: Record<string, unknown>): StatusView => ({
    sources: [],
    clusters: [{ name: 'dev', kustomizations: [{ ...apps(false), apply: apply as never }] }],
  });
  const row = (v: StatusView) =>
    formatStatus(v)
      .split('\n')
      .find((l) => l.startsWith('flux-system/apps'));

  it.each([
    [{ ready: true, reason: 'ReconciliationSucceeded', message: 'Applied' }, 'True'],
    [{ ready: false, reason: 'HealthCheckFailed', message: 'timeout' }, 'False (HealthCheckFailed)'],
    [
      { ready: false, reason: 'DependencyNotReady', message: 'dependency cycle', stalled: true },
      'Stalled (DependencyNotReady)',
    ],
  ])('%j shows %s', (apply, shown) => {
    expect(row(withApply(apply))).toContain(` ${shown} `);
  });
});
