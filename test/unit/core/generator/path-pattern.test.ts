// spec.pathPattern as source-watcher documents it: one set of artifacts per matched directory, names from
// the lowercased captures, copy paths from the captures as written, bad captures and collisions refused.
import { describe, expect, it } from 'vitest';
import type { OutputArtifact } from '../../../../shared/api/artifact-generator.ts';
import { discoverArtifacts } from '../../../../shared/core/generator/path-pattern.ts';
import { SourceTree, type TreeEntry } from '../../../../shared/core/generator/source-tree.ts';

function tree(...files: string[]): SourceTree {
  const entries = new Map<string, TreeEntry>();
  for (const file of files) {
    const segs = file.split('/');
    for (let i = 1; i < segs.length; i++) entries.set(segs.slice(0, i).join('/'), { type: 'dir' });
    entries.set(file, { type: 'file', size: 1 });
  }
  return new SourceTree(entries);
}

const template: OutputArtifact = {
  name: '{app}-{env}',
  copy: [
    { from: '@monorepo/apps/{app}/envs/{env}/**', to: '@artifact/', exclude: [], strategy: 'Overwrite' },
  ],
};

/** One capture only: the app. */
const one: OutputArtifact = {
  name: '{app}',
  copy: [{ from: '@m/apps/{app}/**', to: '@artifact/', exclude: [], strategy: 'Overwrite' }],
};

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('pathPattern discovery', () => {
  const repo = tree(
    'apps/Auth/envs/prod/k.yaml',
    'apps/web/envs/prod/k.yaml',
    'apps/web/envs/dev/k.yaml',
    'apps/web/README.md',
    'other/x.yaml',
  );

  it('renders the artifacts for every matched directory, in directory order', () => {
    const found = discoverArtifacts('@monorepo/apps/{app}/envs/{env}', [template], repo);
    expect(found.map((a) => [a.name, a.copy[0]?.from, a.labels])).toEqual([
      // The name and labels are lowercased; the copy path keeps the directory as written.
      ['auth-prod', '@monorepo/apps/Auth/envs/prod/**', { app: 'auth', env: 'prod' }],
      ['web-dev', '@monorepo/apps/web/envs/dev/**', { app: 'web', env: 'dev' }],
      ['web-prod', '@monorepo/apps/web/envs/prod/**', { app: 'web', env: 'prod' }],
    ]);
  });

  it('matches directories only, the whole path, a capture never spanning a slash', () => {
    expect(discoverArtifacts('@monorepo/apps/{app}', [one], repo).map((a) => a.name)).toEqual([
      'auth',
      'web',
    ]);
    expect(discoverArtifacts('@monorepo/{app}/envs', [one], repo)).toEqual([]);
  });

  it('refuses two directories that differ only in case', () => {
    const clash = tree('apps/Auth/k.yaml', 'apps/auth/k.yaml');
    expect(code(() => discoverArtifacts('@m/apps/{app}', [one], clash))).toBe('ValidationFailed');
  });

  it.each([
    ['a directory name that is no label value', tree('apps/.hidden/k.yaml'), '@m/apps/{app}'],
    ['an unclosed capture', tree('apps/a/k.yaml'), '@m/apps/{app'],
    ['a duplicate capture', tree('apps/a/b/k.yaml'), '@m/apps/{app}/{app}'],
    ['no alias', tree('apps/a/k.yaml'), 'apps/{app}'],
  ])('refuses %s', (_title, t, pattern) => {
    expect(code(() => discoverArtifacts(pattern, [one], t))).toBe('ValidationFailed');
  });

  it('words a capture that is no label value as the README shows it', () => {
    const app: OutputArtifact = {
      name: '{app}',
      copy: [{ from: '@fleet/apps/{app}/**', to: '@artifact/', exclude: [], strategy: 'Overwrite' }],
    };
    let message = '';
    try {
      discoverArtifacts('@fleet/apps/{app}', [app], tree('apps/.hidden/k.yaml'));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'spec.pathPattern "@fleet/apps/{app}": captured value ".hidden" for variable "app" is not a valid Kubernetes label value',
    );
  });

  it('refuses a template naming a capture the pattern does not define', () => {
    expect(code(() => discoverArtifacts('@m/apps/{app}', [{ ...one, name: '{app}-{env}' }], repo))).toBe(
      'ValidationFailed',
    );
  });

  it('reads the rest of the pattern literally, regular-expression characters included', () => {
    const t = tree('apps.v1/a/k.yaml', 'appsXv1/b/k.yaml');
    expect(discoverArtifacts('@m/apps.v1/{app}', [one], t).map((a) => a.name)).toEqual(['a']);
  });
});
