import { describe, expect, it } from 'vitest';
import { clusterRootsOfFlags } from '../../../cli/cluster-root-flags.ts';
import { isCliUsageError } from '../../../cli/usage-error.ts';

describe('sluice serve cluster root flags', () => {
  it('gives nothing when no cluster sets anything', () => {
    expect(clusterRootsOfFlags({ clusters: ['dev'] })).toBeUndefined();
  });

  it('collects path, branch, root names and variables per cluster', () => {
    expect(
      clusterRootsOfFlags({
        clusters: ['eu', 'us'],
        paths: ['eu=kubernetes/clusters/shared', 'us=kubernetes/clusters/shared'],
        branches: ['us=release'],
        roots: ['eu=flux-system/fleet'],
        variables: ['eu:REGION=eu-west-1', 'us:REGION=us-east-1', 'us:URL=https://x/?a=b'],
      }),
    ).toEqual({
      eu: {
        path: 'kubernetes/clusters/shared',
        root: { namespace: 'flux-system', name: 'fleet' },
        variables: { REGION: 'eu-west-1' },
      },
      us: {
        path: 'kubernetes/clusters/shared',
        branch: 'release',
        variables: { REGION: 'us-east-1', URL: 'https://x/?a=b' },
      },
    });
  });

  it.each([
    ['a cluster no --cluster declares', { paths: ['prod=clusters/prod'] }, '--cluster prod'],
    ['a path without a cluster', { paths: ['clusters/prod'] }, '--cluster-path'],
    ['a root without a namespace', { roots: ['dev=flux-system'] }, '--cluster-root'],
    ['a variable without a value', { variables: ['dev:REGION'] }, '--cluster-var'],
    ['a path leaving the repository', { paths: ['dev=../x'] }, 'cluster dev.path'],
  ])('refuses %s with a usage error naming it', (_what, flags, named) => {
    let error: unknown;
    try {
      clusterRootsOfFlags({ clusters: ['dev'], ...flags });
    } catch (err) {
      error = err;
    }
    expect(isCliUsageError(error)).toBe(true);
    expect((error as Error).message).toContain(named);
  });
});
