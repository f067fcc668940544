// Health checks read live objects, Secrets included, and their verdicts end up in a target's status: a CEL
// expression that fails on a Secret's value must not quote it; and no expression may stall the puller.
import { describe, expect, it } from 'vitest';
import {
  checkHealthCheckExprs,
  compileHealthCheckExprs,
} from '../../shared/core/health/health-check-exprs.ts';
import { describeHealth } from '../../shared/core/health/health-wait-summary.ts';
import { objectHealth } from '../../shared/core/health/object-health.ts';

const VALUE = 'hunter2-do-not-show';

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'apps' },
  data: { password: Buffer.from(VALUE).toString('base64') },
  stringData: { password: VALUE },
};

describe('healthCheckExprs evaluated on a Secret', () => {
  it.each([
    'int(stringData.password) == 1',
    "duration(stringData.password) > duration('1s')",
    'bool(stringData.password)',
    'data[stringData.password] == 1',
    "'x'.matches(stringData.password + '(')",
    '[1][int(size(stringData.password))] == 1',
  ])('reports the failure of %s without the value it read', (current) => {
    const rules = compileHealthCheckExprs([{ apiVersion: 'v1', kind: 'Secret', current }]);
    const health = objectHealth(secret, { now: 0, rules });
    expect(health.status).toBe('Unknown');
    const reported = describeHealth({ ref: { apiVersion: 'v1', kind: 'Secret', name: 'db' }, ...health });
    expect(reported).not.toContain(VALUE);
    expect(reported).not.toContain('hunter2');
    expect(reported).not.toContain(secret.data.password);
  });
});

describe('healthCheckExprs that would stall the puller', () => {
  it('refuses comprehensions nested three deep when the Kustomization is decoded', () => {
    const current = 'status.a.all(x, status.b.all(y, status.c.all(z, x + y + z > 0)))';
    const issues = checkHealthCheckExprs([{ apiVersion: 'example.com/v1', current }]);
    expect(issues).toEqual([
      {
        field: 'spec.healthCheckExprs[0].current',
        problem: `CEL expression '${current}' nests comprehensions 3 deep; at most 2 are allowed`,
      },
    ]);
  });

  it('accepts chained and twice-nested comprehensions, as Flux expressions use them', () => {
    const current =
      "status.conditions.filter(e, e.type == 'Ready').all(e, status.conditions.exists(f, f.type == e.type))";
    expect(checkHealthCheckExprs([{ apiVersion: 'example.com/v1', current }])).toEqual([]);
  });
});
