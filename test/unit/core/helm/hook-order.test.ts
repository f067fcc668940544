// Helm's hook order (pkg/action/hooks.go hookByWeight over releaseutil's kind-sorted hooks): by weight, then
// name; same weight and name keep kind order. Hook annotations read as helm reads them.
import { describe, expect, it } from 'vitest';
import {
  deletePoliciesOf,
  type HookEvent,
  hookOf,
  hooksFor,
  splitHooks,
} from '../../../../shared/core/helm/hook-order.ts';
import type { KubeObject } from '../../../../shared/core/render/yaml-codec.ts';

function hook(kind: string, name: string, events: string, weight?: string, policy?: string): KubeObject {
  return {
    apiVersion: kind === 'Job' ? 'batch/v1' : 'v1',
    kind,
    metadata: {
      name,
      annotations: {
        'helm.sh/hook': events,
        ...(weight !== undefined && { 'helm.sh/hook-weight': weight }),
        ...(policy !== undefined && { 'helm.sh/hook-delete-policy': policy }),
      },
    },
  };
}

const names = (event: HookEvent, objects: KubeObject[]) =>
  hooksFor(event, splitHooks(objects).hooks).map((h) => `${h.kind}/${h.name}`);

describe('hooksFor', () => {
  it.each<[string, KubeObject[], HookEvent, string[]]>([
    [
      'lower weights run first, negative ones before unweighted',
      [
        hook('Job', 'b', 'pre-install', '5'),
        hook('Job', 'a', 'pre-install', '-1'),
        hook('Job', 'c', 'pre-install'),
      ],
      'pre-install',
      ['Job/a', 'Job/c', 'Job/b'],
    ],
    [
      'the same weight runs by name, whatever the kind',
      [
        hook('Job', 'a-job', 'pre-install'),
        hook('ConfigMap', 'z-config', 'pre-install'),
        hook('Secret', 'm', 'pre-install'),
      ],
      'pre-install',
      ['Job/a-job', 'Secret/m', 'ConfigMap/z-config'],
    ],
    [
      'the same weight and name keep helm kind order (ServiceAccount before Job)',
      [hook('Job', 'setup', 'pre-upgrade'), hook('ServiceAccount', 'setup', 'pre-upgrade')],
      'pre-upgrade',
      ['ServiceAccount/setup', 'Job/setup'],
    ],
    [
      'only the event asked for; a hook of several events runs for each',
      [
        hook('Job', 'both', 'pre-install, pre-upgrade'),
        hook('Job', 'post', 'post-install'),
        hook('Job', 'up', 'pre-upgrade'),
      ],
      'pre-upgrade',
      ['Job/both', 'Job/up'],
    ],
    [
      'a weight that is no integer weighs 0, as strconv.Atoi fails',
      [
        hook('Job', 'b', 'post-install', 'high'),
        hook('Job', 'a', 'post-install', '1'),
        hook('Job', 'c', 'post-install', ' -2 '),
      ],
      'post-install',
      ['Job/c', 'Job/b', 'Job/a'],
    ],
  ])('%s', (_title, objects, event, expected) => {
    expect(names(event, objects)).toEqual(expected);
  });
});

describe('splitHooks', () => {
  it('keeps hooks out of the release objects', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' } };
    const { release, hooks } = splitHooks([cm, hook('Job', 'migrate', 'pre-install')]);
    expect(release).toEqual([cm]);
    expect(hooks.map((h) => h.name)).toEqual(['migrate']);
  });
});

describe('hookOf', () => {
  it.each<[string | undefined, string[]]>([
    [undefined, ['before-hook-creation']],
    ['hook-succeeded', ['hook-succeeded']],
    ['hook-succeeded, hook-failed', ['hook-succeeded', 'hook-failed']],
    ['bogus', ['before-hook-creation']],
  ])('delete policy %s means %j', (policy, expected) => {
    expect(deletePoliciesOf(hookOf(hook('Job', 'x', 'pre-install', undefined, policy)))).toEqual(expected);
  });

  it('ignores unknown events', () => {
    expect(hookOf(hook('Job', 'x', 'pre-install,post-deploy')).events).toEqual(['pre-install']);
  });
});
