// When sluice check counts a target or source it asked again as answered: a status or fetch attempt since
// the question, and for a target, a render after its source's new fetch.
import { describe, expect, it } from 'vitest';
import type { FetchState, RenderStatus } from '../../../shared/core/pipeline/records.ts';
import type { TargetRecord } from '../../../shared/ports/renderer.ts';
import type { TargetView } from '../../../shared/usecases/check-fleet-snapshot.ts';
import { type AskedAgain, isAnswered } from '../../../shared/usecases/check-fleet-wait.ts';

const target = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'platform-app' };
const record = { kustomization: { spec: { suspend: false } } } as unknown as TargetRecord;
const ASKED_AT = '2026-01-01T00:00:10.000Z';
const BEFORE = '2026-01-01T00:00:05.000Z';
const AFTER = '2026-01-01T00:00:12.000Z';
const LATER = '2026-01-01T00:00:14.000Z';
const failed = (at: string): RenderStatus => ({
  target,
  ready: false,
  reason: 'DependencyNotReady',
  message: 'not found',
  warnings: [],
  at,
});
const fetched = (fetchedAt: string): FetchState => ({
  sourceKey: 'platform',
  generation: 1,
  revision: 'main@sha1:abc',
  fetchedAt,
  lastAttemptAt: fetchedAt,
});
const asked = (sources: string[] = []): AskedAgain => ({
  fingerprint: '',
  at: ASKED_AT,
  targets: new Set(['Kustomization/flux-system/platform-app']),
  sources: new Set(sources),
});

describe('isAnswered', () => {
  it.each<[string, Omit<TargetView, 'target'>, boolean]>([
    ['a target that failed again since it was asked', { record, status: failed(AFTER) }, true],
    ['a target not rendered since it was asked', { record, status: failed(BEFORE) }, false],
    [
      'a target whose source is declared and not fetched yet',
      { record, status: failed(AFTER), sourceKey: 'platform' },
      false,
    ],
    [
      'a target whose source was fetched after its last render',
      { record, status: failed(AFTER), sourceKey: 'platform', source: fetched(LATER) },
      false,
    ],
    [
      'a target rendered after its source was fetched',
      { record, status: failed(LATER), sourceKey: 'platform', source: fetched(AFTER) },
      true,
    ],
    [
      'a target whose source failed its first fetch',
      {
        record,
        status: failed(BEFORE),
        sourceKey: 'platform',
        source: {
          sourceKey: 'platform',
          generation: 0,
          error: { code: 'GitFetchFailed', message: 'x', at: AFTER },
        },
      },
      true,
    ],
  ])('%s', (_, view, answered) => {
    expect(isAnswered({ targets: [{ target, ...view }], found: [] }, asked())).toBe(answered);
  });

  it('waits for a source asked again until it is fetched or fails since', () => {
    const view = (state: FetchState): TargetView => ({
      target,
      record,
      status: failed(AFTER),
      sourceKey: 'chart',
      source: state,
    });
    const notFound = (at: string): FetchState => ({
      sourceKey: 'chart',
      generation: 0,
      lastAttemptAt: at,
      error: { code: 'ReferenceNotFound', message: 'not found', at },
    });
    expect(isAnswered({ targets: [view(notFound(BEFORE))], found: [] }, asked(['chart']))).toBe(false);
    expect(isAnswered({ targets: [view(notFound(AFTER))], found: [] }, asked(['chart']))).toBe(true);
  });
});
