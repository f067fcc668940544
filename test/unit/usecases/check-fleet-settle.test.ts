// When sluice check stops waiting: every target rendered its source's revision, failed, is suspended, or waits
// on a source whose first fetch failed; every declared source was fetched or failed, unless suspended.
import { describe, expect, it } from 'vitest';
import type { FluxObjectFound } from '../../../shared/core/check/flux-object-found.ts';
import type { FetchState, RenderStatus } from '../../../shared/core/pipeline/records.ts';
import type { TargetRecord } from '../../../shared/ports/renderer.ts';
import {
  type FoundView,
  isSettled,
  isTargetSettled,
  type TargetView,
} from '../../../shared/usecases/check-fleet-snapshot.ts';

const target = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
const record = (suspend = false) => ({ kustomization: { spec: { suspend } } }) as unknown as TargetRecord;
const fetched = (revision?: string, error?: string): FetchState => ({
  sourceKey: 'k',
  generation: 1,
  ...(revision && { revision }),
  ...(error && { error: { code: 'GitFetchFailed', message: error, at: '' } }),
});
const status = (ready: boolean, revision?: string): RenderStatus => ({
  target,
  ready,
  reason: '',
  message: '',
  warnings: [],
  at: '',
  ...(revision && { revision }),
});

describe('isTargetSettled', () => {
  it.each<[string, Omit<TargetView, 'target'>, boolean]>([
    [
      'rendered at its source revision',
      { record: record(), status: status(true, 'r1'), source: fetched('r1') },
      true,
    ],
    [
      'rendered at an older revision',
      { record: record(), status: status(true, 'r1'), source: fetched('r2') },
      false,
    ],
    ['failed', { record: record(), status: status(false), source: fetched('r1') }, true],
    ['suspended, never rendered', { record: record(true) }, true],
    ['waiting on a source that failed', { record: record(), source: fetched(undefined, 'refused') }, true],
    ['waiting on a source not fetched yet', { record: record() }, false],
    ['withdrawn (no record)', {}, true],
  ])('%s: %s', (_what, view, settled) => {
    expect(isTargetSettled({ target, ...view })).toBe(settled);
  });
});

describe('isSettled', () => {
  const source: FluxObjectFound = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    namespace: 'flux-system',
    name: 'other',
    file: 'clusters/dev/other.yaml',
    handling: 'declared',
    differences: [],
    notes: [],
  };
  const found = (view: Partial<FoundView>): FoundView => ({ found: source, foundBy: target, ...view });

  it.each<[string, FoundView, boolean]>([
    ['a declared source not fetched yet', found({}), false],
    ['a declared source fetched', found({ source: fetched('r1') }), true],
    ['a declared source that failed', found({ source: fetched(undefined, 'refused') }), true],
    ['a suspended source', found({ suspended: true }), true],
    [
      'an artifact not composed yet',
      found({ found: { ...source, kind: 'ArtifactGenerator' }, produced: [{ name: 'a' }] }),
      false,
    ],
  ])('%s: %s', (_what, view, settled) => {
    expect(isSettled({ targets: [], found: [view] })).toBe(settled);
  });
});
