// When a failed render is tried again: retryable failures at the retryInterval (else the interval),
// permanent ones and statuses of earlier versions at the interval, never more often than the tick.
import { describe, expect, it } from 'vitest';
import type { RenderStatus, TargetRecord } from '../../../../shared/core/pipeline/records.ts';
import { isRenderRetryDue, renderRetryDelayMs } from '../../../../shared/core/pipeline/render-retry.ts';
import { kustomizationTarget } from '../../../../shared/core/pipeline/target.ts';

const AT = Date.parse('2026-11-30T10:00:00Z');
const ks = (spec: object) =>
  ({
    cluster: 'dev',
    kustomization: { spec: { intervalMs: 600_000, suspend: false, ...spec } },
    sourceKey: 's',
    parent: null,
  }) as unknown as TargetRecord;
const hr = (spec: object) =>
  ({
    cluster: 'dev',
    helmRelease: { spec: { intervalMs: 300_000, suspend: false, ...spec } },
    sourceKey: 'c',
    parent: null,
  }) as unknown as TargetRecord;
const failed = (over: Partial<RenderStatus> = {}): RenderStatus => ({
  target: kustomizationTarget({ namespace: 'flux-system', name: 'apps' }),
  ready: false,
  reason: 'ArtifactFailed',
  message: 'Kustomization/flux-system/apps: the store is unreachable',
  warnings: [],
  at: new Date(AT).toISOString(),
  ...over,
});

describe('renderRetryDelayMs', () => {
  it('is the retryInterval of a Kustomization that failed retryably, else its interval', () => {
    expect(renderRetryDelayMs(ks({ retryIntervalMs: 120_000 }), failed({ retryable: true }))).toBe(120_000);
    expect(renderRetryDelayMs(ks({}), failed({ retryable: true }))).toBe(600_000);
  });

  it('is the interval for a permanent failure and for a status that does not say', () => {
    expect(renderRetryDelayMs(ks({ retryIntervalMs: 120_000 }), failed({ retryable: false }))).toBe(600_000);
    expect(renderRetryDelayMs(ks({ retryIntervalMs: 120_000 }), failed())).toBe(600_000);
  });

  it('is the interval of a HelmRelease, which has no retryInterval of its own', () => {
    expect(renderRetryDelayMs(hr({}), failed({ retryable: true }))).toBe(300_000);
  });

  it('is never shorter than the scheduler tick', () => {
    expect(renderRetryDelayMs(ks({ retryIntervalMs: 5_000 }), failed({ retryable: true }))).toBe(60_000);
  });

  it('is undefined for a Ready or suspended target', () => {
    expect(renderRetryDelayMs(ks({}), failed({ ready: true }))).toBeUndefined();
    expect(renderRetryDelayMs(ks({ suspend: true }), failed({ retryable: true }))).toBeUndefined();
    expect(renderRetryDelayMs(hr({ suspend: true }), failed({ retryable: true }))).toBeUndefined();
  });
});

describe('isRenderRetryDue', () => {
  it('is due once the delay has passed since the failed render, not before', () => {
    const record = ks({ retryIntervalMs: 120_000 });
    expect(isRenderRetryDue(record, failed({ retryable: true }), AT + 119_999)).toBe(false);
    expect(isRenderRetryDue(record, failed({ retryable: true }), AT + 120_000)).toBe(true);
  });
});
