import { describe, expect, it } from 'vitest';
import { clusterRootProblems, resolveClusterRoot } from '../../../../shared/core/fleet/cluster-root.ts';
import { sameRepository } from '../../../../shared/core/fleet/same-repository.ts';

describe('resolveClusterRoot', () => {
  it('defaults to clusters/<name> on the fleet branch, rooted at flux-system/flux-system', () => {
    expect(resolveClusterRoot('prod', undefined, 'main')).toEqual({
      cluster: 'prod',
      path: 'clusters/prod',
      branch: 'main',
      root: { namespace: 'flux-system', name: 'flux-system' },
      variables: {},
    });
  });

  it('takes the path, branch, root names and variables a cluster sets', () => {
    const root = resolveClusterRoot(
      'eu',
      {
        path: './kubernetes/clusters/shared/',
        branch: 'release',
        root: { name: 'fleet' },
        variables: { REGION: 'eu' },
      },
      'main',
    );
    expect(root).toEqual({
      cluster: 'eu',
      path: 'kubernetes/clusters/shared',
      branch: 'release',
      root: { namespace: 'flux-system', name: 'fleet' },
      variables: { REGION: 'eu' },
    });
  });
});

describe('clusterRootProblems', () => {
  it('accepts no settings and complete settings', () => {
    expect(clusterRootProblems('c', undefined)).toEqual([]);
    expect(
      clusterRootProblems('c', {
        path: 'kubernetes/flux/cluster',
        branch: 'feature/x',
        root: { name: 'flux-system', namespace: 'flux-system' },
        variables: { CLUSTER_NAME: 'dev', _x1: '' },
      }),
    ).toEqual([]);
  });

  it.each([
    ['a path leaving the repository', { path: '../other' }, 'c.path'],
    ['an absolute path', { path: '/etc' }, 'c.path'],
    ['an empty path', { path: './' }, 'c.path'],
    ['a branch with a space', { branch: 'my branch' }, 'c.branch'],
    ['a branch with two dots', { branch: 'a..b' }, 'c.branch'],
    ['a root namespace in upper case', { root: { namespace: 'Flux' } }, 'c.root.namespace'],
    ['a root name with a slash', { root: { name: 'a/b' } }, 'c.root.name'],
    ['a variable name with a dash', { variables: { 'CLUSTER-NAME': 'x' } }, 'c.variables'],
    ['a variable that is a number', { variables: { REPLICAS: 3 } }, 'c.variables.REPLICAS'],
    ['an unknown setting', { pathh: 'x' }, 'c.pathh'],
  ])('names the setting for %s', (_what, settings, named) => {
    const problems = clusterRootProblems('c', settings as never);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(named);
  });
});

describe('sameRepository', () => {
  it.each([
    ['https://github.com/org/fleet.git', 'ssh://git@github.com/org/fleet', true],
    ['https://github.com/org/fleet', 'git@github.com:org/fleet.git', true],
    ['https://user:token@github.com/Org/Fleet/', 'https://github.com/org/fleet', true],
    ['https://github.com/org/fleet', 'https://github.com/org/other', false],
    ['http://127.0.0.1:4000/fleet.git', 'http://127.0.0.1:4001/fleet.git', false],
    ['not a url', 'https://github.com/org/fleet', false],
  ])('%s and %s: %s', (a, b, same) => {
    expect(sameRepository(a, b)).toBe(same);
  });
});
