// A signed rollback: the restored content with the next sequence and the index's generation, a record of
// what it restored and what it replaced, and a hold that stops only renders giving back the content rolled away.
import { describe, expect, it } from 'vitest';
import {
  ARTIFACT_API,
  type ArtifactPayload,
  digestOf,
  type TombstonePayload,
} from '../../../../shared/core/artifact/artifact.ts';
import { checkBinding } from '../../../../shared/core/artifact/binding.ts';
import {
  checkRestorable,
  contentDigestOf,
  heldByRollback,
  MAX_ROLLBACK_REASON,
  rollbackPayload,
} from '../../../../shared/core/artifact/rollback.ts';
import { errorOf } from '../../../support/error-of.ts';

const APPS = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };

function artifact(value: string, sequence: number, source = sequence): ArtifactPayload {
  return {
    apiVersion: ARTIFACT_API,
    kind: 'Artifact',
    cluster: 'dev',
    kustomization: { namespace: APPS.namespace, name: APPS.name },
    target: APPS,
    generation: { fleet: 1, source, fleetKey: 'f', sourceKey: 'f' },
    sequence,
    source: { url: 'https://git.example.com/fleet.git', revision: `main@sha1:${value}` },
    renderKey: `sha256:render-${value}`,
    apply: { prune: true, wait: false, force: false, timeoutMs: 60_000, intervalMs: 600_000, dependsOn: [] },
    objects: [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'apps' }, data: { value } },
    ],
  };
}

const v1 = artifact('v1', 100);
const v2 = artifact('v2', 200);
const input = (over: Partial<Parameters<typeof rollbackPayload>[0]> = {}) => ({
  restored: v1,
  restoredDigest: digestOf(v1),
  current: v2,
  currentDigest: digestOf(v2),
  sequence: 300,
  at: '2026-06-01T12:00:00.000Z',
  by: 'api',
  ...over,
});

describe('rollbackPayload', () => {
  it('restores the content with the next sequence and the current generation, and says so', () => {
    const rolled = rollbackPayload(input({ reason: 'v2 breaks login' }));
    expect(rolled.objects).toEqual(v1.objects);
    expect(rolled.source).toEqual(v1.source);
    expect(rolled.sequence).toBe(300);
    expect(rolled.generation).toEqual(v2.generation);
    expect(rolled.rollback).toEqual({
      to: digestOf(v1),
      from: digestOf(v2),
      at: '2026-06-01T12:00:00.000Z',
      by: 'api',
      reason: 'v2 breaks login',
      held: { digest: digestOf(v2), content: contentDigestOf(v2) },
    });
  });

  it('is newer than the artifact it replaced by the rule the puller applies', () => {
    const rolled = rollbackPayload(input());
    const mark = { generation: v2.generation, sequence: 200, digest: digestOf(v2), keyFingerprint: 'k' };
    expect(() =>
      checkBinding(
        rolled,
        { cluster: 'dev', target: APPS, keyFingerprint: 'k', digest: digestOf(rolled) },
        mark,
      ),
    ).not.toThrow();
  });

  it('a rollback of a rollback keeps holding the content first rolled away from', () => {
    const first = rollbackPayload(input());
    const second = rollbackPayload(
      input({
        restored: artifact('v0', 50),
        restoredDigest: 'sha256:v0',
        current: first,
        currentDigest: digestOf(first),
      }),
    );
    expect(second.rollback?.from).toBe(digestOf(first));
    expect(second.rollback?.held.digest).toBe(digestOf(v2));
  });

  it('restoring an earlier rollback drops its record for a new one', () => {
    const first = rollbackPayload(input());
    const again = rollbackPayload(input({ restored: first, restoredDigest: digestOf(first) }));
    expect(again.rollback?.to).toBe(digestOf(first));
  });

  it.each([
    ['line breaks and control characters', 'bad\ndeploy\u0000\u202e now', 'bad deploy now'],
    ['blank', '  \n ', undefined],
    ['overlong', 'x'.repeat(500), 'x'.repeat(MAX_ROLLBACK_REASON)],
  ])('keeps a reason on one bounded line (%s)', (_case, reason, kept) => {
    expect(rollbackPayload(input({ reason })).rollback?.reason).toBe(kept);
  });
});

describe('checkRestorable', () => {
  it('accepts an artifact of this cluster and target', () => {
    expect(() => checkRestorable(v1, 'dev', APPS, digestOf(v1))).not.toThrow();
  });

  it.each([
    ['another cluster', { ...v1, cluster: 'prod' }],
    [
      'another target',
      {
        ...v1,
        target: { ...APPS, name: 'infra' },
        kustomization: { namespace: 'flux-system', name: 'infra' },
      },
    ],
    [
      'a tombstone',
      { ...v1, kind: 'Tombstone', deleted: true, revision: 'x' } as unknown as TombstonePayload,
    ],
  ])('refuses %s with ArtifactRejected', (_case, payload) => {
    expect(errorOf(() => checkRestorable(payload, 'dev', APPS, 'sha256:x'))).toMatchObject({
      code: 'ArtifactRejected',
    });
  });
});

describe('heldByRollback', () => {
  const rolled = rollbackPayload(input());
  it('holds a render that gives back the content rolled away from, whatever its revision, generation and sequence', () => {
    const rerendered = {
      ...v2,
      generation: { ...v2.generation, fleet: 9 },
      sequence: 999,
      source: { ...v2.source, revision: 'main@sha1:later' },
      renderKey: 'sha256:render-later',
    };
    expect(heldByRollback(rolled.rollback, rerendered)).toBe(true);
  });

  it('lets any other content through (a fix), and holds nothing without a rollback', () => {
    expect(heldByRollback(rolled.rollback, artifact('v3', 400))).toBe(false);
    expect(heldByRollback(undefined, v2)).toBe(false);
  });
});
