// spec.healthCheckExprs as Flux 2.5+ evaluates them: refused at decode time when an expression does not
// parse or type-check, matched by group and kind, evaluated inProgress → failed → current.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  checkHealthCheckExprs,
  compileHealthCheckExprs,
  type HealthCheckExpr,
} from '../../../../shared/core/health/health-check-exprs.ts';
import { objectHealth } from '../../../../shared/core/health/object-health.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

const NOW = 0;

/** Flux's own documentation example, for Bitnami's SealedSecret. */
const sealedSecret: HealthCheckExpr = {
  apiVersion: 'bitnami.com/v1alpha1',
  kind: 'SealedSecret',
  failed: "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'False')",
  current: "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'True')",
};

const sealed = (status: string, generation = 1): KubeObject =>
  parse(`
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: s, namespace: apps, generation: ${generation}}
${status}`) as KubeObject;

const healthOf = (obj: KubeObject, exprs: HealthCheckExpr[]) =>
  objectHealth(obj, { now: NOW, rules: compileHealthCheckExprs(exprs) });

describe('checkHealthCheckExprs', () => {
  it('accepts the expressions of Flux documentation', () => {
    expect(checkHealthCheckExprs([sealedSecret])).toEqual([]);
    expect(
      checkHealthCheckExprs([
        {
          apiVersion: 'cert-manager.io/v1',
          kind: 'Certificate',
          inProgress:
            "has(status.conditions) && status.conditions.exists(e, e.type == 'Issuing' && e.status == 'True')",
          current: "status.conditions.exists(e, e.type == 'Ready' && e.status == 'True')",
          failed: "status.conditions.exists(e, e.type == 'Ready' && e.status == 'False')",
        },
        {
          apiVersion: 'example.com/v1',
          current: 'status.?phase.orValue("") == "Ready" && status.replicas > 0',
        },
      ]),
    ).toEqual([]);
  });

  it.each([
    ['a syntax error', "status.conditions.exists(e, e.type == 'Ready'", 'current'],
    ['an unknown function', 'isReady(status)', 'failed'],
    ['a result that is not a bool', "status.phase + 'x' == 1 ? 1 : 2", 'inProgress'],
  ])('refuses %s, naming the field and the expression', (_, expr, key) => {
    const entry = { ...sealedSecret, kind: 'SealedBox', [key]: expr } as HealthCheckExpr;
    const issues = checkHealthCheckExprs([sealedSecret, entry]);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe(`spec.healthCheckExprs[1].${key}`);
    expect(issues[0]?.problem).toContain(expr);
  });

  it('refuses an entry without current, and a second entry for the same kind', () => {
    const issues = checkHealthCheckExprs([sealedSecret, { ...sealedSecret, current: '' }]);
    expect(issues.map((i) => i.field)).toEqual([
      'spec.healthCheckExprs[1]',
      'spec.healthCheckExprs[1].current',
    ]);
  });

  it('compiling what decode would refuse is a ValidationFailed error naming the field', () => {
    expect(() => compileHealthCheckExprs([{ ...sealedSecret, current: '1 +' }])).toThrow(
      expect.objectContaining({ code: 'ValidationFailed', field: 'spec.healthCheckExprs[0].current' }),
    );
  });
});

describe('objectHealth with healthCheckExprs', () => {
  it.each([
    ['Synced True', 'status: {conditions: [{type: Synced, status: "True"}]}', 'Current'],
    ['Synced False', 'status: {conditions: [{type: Synced, status: "False"}]}', 'Failed'],
    [
      'no Synced yet, both filters empty: inProgress is absent and failed (all of none) is true',
      'status: {conditions: []}',
      'Failed',
    ],
  ])('%s is %s', (_, status, expected) => {
    expect(healthOf(sealed(status), [sealedSecret]).status).toBe(expected);
  });

  it('evaluates inProgress before failed, and failed before current', () => {
    const all: HealthCheckExpr = {
      apiVersion: 'bitnami.com/v1',
      current: 'true',
      failed: 'true',
      inProgress: 'true',
    };
    expect(healthOf(sealed(''), [all]).status).toBe('InProgress');
    expect(healthOf(sealed(''), [{ ...all, inProgress: 'false' }]).status).toBe('Failed');
    expect(healthOf(sealed(''), [{ ...all, inProgress: 'false', failed: 'false' }]).status).toBe('Current');
    expect(
      healthOf(sealed(''), [{ ...all, inProgress: 'false', failed: 'false', current: 'false' }]).status,
    ).toBe('InProgress');
  });

  it('is InProgress while the generation is not observed, whatever the expressions say', () => {
    const obj = sealed('status: {observedGeneration: 1, conditions: [{type: Synced, status: "True"}]}', 2);
    expect(healthOf(obj, [sealedSecret])).toMatchObject({
      status: 'InProgress',
      reason: 'LatestGenerationNotObserved',
    });
  });

  it('is Unknown, naming the expression, when it reads a field the object does not have', () => {
    const result = healthOf(sealed(''), [sealedSecret]);
    expect(result.status).toBe('Unknown');
    expect(result.message).toContain(sealedSecret.failed);
  });

  it('reads JSON integers as CEL ints, so arithmetic with int literals works as in Flux', () => {
    const obj = sealed('status: {replicas: 2}');
    expect(
      healthOf(obj, [{ apiVersion: 'bitnami.com/v1', current: 'status.replicas + 1 == 3' }]).status,
    ).toBe('Current');
  });

  it('hands timestamps to CEL as Kubernetes writes them, even when the client made them Dates', () => {
    const obj = { ...sealed(''), status: { syncedAt: new Date('2026-01-01T00:00:00Z'), unset: undefined } };
    const exprs = [
      {
        apiVersion: 'bitnami.com/v1',
        current: "status.syncedAt == '2026-01-01T00:00:00Z' && !has(status.unset)",
      },
    ];
    expect(healthOf(obj, exprs).status).toBe('Current');
  });

  it('prefers the entry for the kind to the entry for the whole group, and ignores the version', () => {
    const exprs: HealthCheckExpr[] = [
      { apiVersion: 'bitnami.com/v2', current: 'false', failed: 'true' },
      { apiVersion: 'bitnami.com/v9', kind: 'SealedSecret', current: 'true' },
    ];
    expect(healthOf(sealed(''), exprs).status).toBe('Current');
    const other = { ...sealed(''), kind: 'Other' };
    expect(healthOf(other, exprs).status).toBe('Failed');
  });

  it('leaves kinds without an entry to kstatus (a Deployment with no status is InProgress)', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } };
    expect(healthOf(deployment, [sealedSecret])).toMatchObject({
      status: 'InProgress',
      reason: 'LessReplicas',
    });
  });
});

describe("objectHealth for Jobs (Flux's Job rule, not kstatus')", () => {
  const job = (rest: string) =>
    parse(`apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n${rest}`) as KubeObject;
  it.each([
    ['not started', '', 'InProgress', 'JobNotStarted'],
    [
      'running (kstatus would say Current)',
      'status: {startTime: "2026-01-01T00:00:00Z", active: 1}',
      'InProgress',
      'JobInProgress',
    ],
    ['complete', 'status: {conditions: [{type: Complete, status: "True"}]}', 'Current', undefined],
    ['failed', 'status: {conditions: [{type: Failed, status: "True"}]}', 'Failed', 'JobFailed'],
    ['suspended', 'spec: {suspend: true}', 'Current', undefined],
  ])('a Job %s is %s', (_, rest, status, reason) => {
    const result = objectHealth(job(rest), { now: NOW });
    expect([result.status, result.reason]).toEqual([status, reason]);
  });
});
