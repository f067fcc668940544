import { describe, expect, it } from 'vitest';
import { planDependencies } from '../../../../shared/core/apply/dependency-plan.ts';

const node = (key: string, ...dependsOn: string[]) => ({ key, dependsOn });

describe('planDependencies', () => {
  it('puts dependencies first and keeps index order otherwise', () => {
    const plan = planDependencies([
      node('apps', 'infra'),
      node('infra', 'crds'),
      node('crds'),
      node('other'),
    ]);
    expect(plan.order).toEqual(['crds', 'infra', 'apps', 'other']);
    expect(plan.cycles.size).toBe(0);
  });

  it('ignores dependencies that are not in the pass (they are checked against what is known)', () => {
    expect(planDependencies([node('apps', 'gone')]).order).toEqual(['apps']);
  });

  it.each([
    [[node('a', 'b'), node('b', 'a')], { a: ['a', 'b', 'a'], b: ['b', 'a', 'b'] }],
    [[node('a', 'a')], { a: ['a', 'a'] }],
    [
      [node('a', 'b'), node('b', 'c'), node('c', 'a'), node('d', 'a')],
      { a: ['a', 'b', 'c', 'a'], b: ['b', 'c', 'a', 'b'], c: ['c', 'a', 'b', 'c'] },
    ],
  ])('names every cycle and each of its members: %j', (nodes, cycles) => {
    const plan = planDependencies(nodes);
    expect(Object.fromEntries(plan.cycles)).toEqual(cycles);
    expect([...plan.order].sort()).toEqual(nodes.map((n) => n.key).sort());
  });

  it('a target that depends on a cycle is not itself in it', () => {
    const plan = planDependencies([node('a', 'b'), node('b', 'a'), node('d', 'a')]);
    expect(plan.cycles.has('d')).toBe(false);
  });
});
