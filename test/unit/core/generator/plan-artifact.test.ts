// The copy rules of an ArtifactGenerator artifact, as source-watcher documents and applies them: cp-like
// single paths, globs that keep their matched path (`dir/**` strips `dir/`), excludes, ordering and merges.
import { describe, expect, it } from 'vitest';
import type { CopyOperation } from '../../../../shared/core/generator/copy-operation.ts';
import { type PlanLimits, planArtifact } from '../../../../shared/core/generator/plan-artifact.ts';
import { SourceTree, type TreeEntry } from '../../../../shared/core/generator/source-tree.ts';

/** A tree from file paths; their parent directories are implied. */
function tree(...files: string[]): SourceTree {
  const entries = new Map<string, TreeEntry>();
  for (const file of files) {
    const segs = file.split('/');
    for (let i = 1; i < segs.length; i++) entries.set(segs.slice(0, i).join('/'), { type: 'dir' });
    entries.set(file, { type: 'file', size: 10 });
  }
  return new SourceTree(entries);
}

const LIMITS: PlanLimits = { maxFiles: 1000, maxTotalBytes: 1_000_000, maxCopyOperations: 100 };

const op = (from: string, to: string, more: Partial<CopyOperation> = {}): CopyOperation => ({
  from,
  to,
  exclude: [],
  strategy: 'Overwrite',
  ...more,
});

/** Artifact path → `alias:path` of the file it holds (or `merge(...)`). */
function files(copy: CopyOperation[], sources: Record<string, SourceTree>): Record<string, string> {
  const plan = planArtifact(copy, new Map(Object.entries(sources)), LIMITS, 'spec.artifacts[0]');
  const show = (p: unknown): string => {
    const planned = p as {
      copy?: { alias: string; path: string };
      merge?: { base: unknown; overlay: { alias: string; path: string } };
    };
    if (planned.copy) return `${planned.copy.alias}:${planned.copy.path}`;
    const m = planned.merge as { base: unknown; overlay: { alias: string; path: string } };
    return `merge(${show(m.base)}, ${m.overlay.alias}:${m.overlay.path})`;
  };
  return Object.fromEntries([...plan.files].map(([path, p]) => [path, show(p)]).sort());
}

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('a copy of a single path', () => {
  const src = tree('config.yaml', 'configs/app.yaml', 'configs/sub/db.yaml');

  it.each([
    [
      'a file into the artifact root keeps its name',
      '@src/config.yaml',
      '@artifact/',
      { 'config.yaml': 'src:config.yaml' },
    ],
    [
      'a file to a path without a slash is renamed',
      '@src/config.yaml',
      '@artifact/apps/app.yaml',
      { 'apps/app.yaml': 'src:config.yaml' },
    ],
    [
      'a file to a path with a slash goes into that directory',
      '@src/config.yaml',
      '@artifact/apps/',
      { 'apps/config.yaml': 'src:config.yaml' },
    ],
    [
      'a directory lands under the destination by its own name',
      '@src/configs/',
      '@artifact/apps/',
      {
        'apps/configs/app.yaml': 'src:configs/app.yaml',
        'apps/configs/sub/db.yaml': 'src:configs/sub/db.yaml',
      },
    ],
    [
      'a directory without trailing slashes does the same',
      '@src/configs',
      '@artifact/apps',
      {
        'apps/configs/app.yaml': 'src:configs/app.yaml',
        'apps/configs/sub/db.yaml': 'src:configs/sub/db.yaml',
      },
    ],
    [
      'the source root copies its contents',
      '@src/',
      '@artifact/',
      {
        'config.yaml': 'src:config.yaml',
        'configs/app.yaml': 'src:configs/app.yaml',
        'configs/sub/db.yaml': 'src:configs/sub/db.yaml',
      },
    ],
  ])('%s', (_title, from, to, expected) => {
    expect(files([op(from, to)], { src })).toEqual(expected);
  });

  it('puts a file into a destination that an earlier operation made a directory', () => {
    const s = tree('subdir/one.txt', 'file1.txt');
    expect(files([op('@s/subdir/', '@artifact/'), op('@s/file1.txt', '@artifact/subdir')], { s })).toEqual({
      'subdir/file1.txt': 's:file1.txt',
      'subdir/one.txt': 's:subdir/one.txt',
    });
  });

  it('refuses a path that does not exist in the source', () => {
    expect(code(() => files([op('@src/missing.yaml', '@artifact/')], { src }))).toBe('PathNotFound');
  });
});

describe('a copy of a glob', () => {
  const src = tree('a.yaml', 'b.yaml', 'c.json', 'deploy/x.yaml', 'deploy/sub/y.yaml', 'deploy/README.md');

  it('copies the matching top-level files into the destination', () => {
    expect(files([op('@src/*.yaml', '@artifact/manifests/')], { src })).toEqual({
      'manifests/a.yaml': 'src:a.yaml',
      'manifests/b.yaml': 'src:b.yaml',
    });
  });

  it('keeps the matched path below the destination when the glob is not dir/**', () => {
    expect(files([op('@src/deploy/*.yaml', '@artifact/out/')], { src })).toEqual({
      'out/deploy/x.yaml': 'src:deploy/x.yaml',
    });
  });

  it('strips the directory of dir/** and copies its contents recursively', () => {
    expect(files([op('@src/deploy/**', '@artifact/app/')], { src })).toEqual({
      'app/README.md': 'src:deploy/README.md',
      'app/sub/y.yaml': 'src:deploy/sub/y.yaml',
      'app/x.yaml': 'src:deploy/x.yaml',
    });
  });

  it('matches one directory level per star, as Go globs do (no recursive **/ in from)', () => {
    expect(files([op('@src/**/*.yaml', '@artifact/')], { src })).toEqual({
      'deploy/x.yaml': 'src:deploy/x.yaml',
    });
  });

  it('refuses a glob that matches nothing', () => {
    expect(code(() => files([op('@src/*.toml', '@artifact/')], { src }))).toBe('PathNotFound');
  });

  it('words a glob that matches nothing as the README shows it, naming the operation and the source', () => {
    const backend = tree('other.yaml', 'deploy/notes.txt');
    let message = '';
    try {
      files([op('@backend/other.yaml', '@artifact/'), op('@backend/deploy/*.yaml', '@artifact/out/')], {
        backend,
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      "spec.artifacts[0].copy[1].from: no files match 'deploy/*.yaml' in source 'backend'",
    );
  });

  it('refuses a malformed glob', () => {
    expect(code(() => files([op('@src/[a', '@artifact/')], { src }))).toBe('ValidationFailed');
  });

  it.each([
    ['[ab].yaml', ['a.yaml', 'b.yaml']],
    ['[^a].yaml', ['b.yaml']],
    ['?.json', ['c.json']],
  ])('reads %s as a Go glob class or wildcard', (pattern, expected) => {
    expect(Object.keys(files([op(`@src/${pattern}`, '@artifact/')], { src }))).toEqual(expected);
  });
});

describe('excludes', () => {
  const src = tree(
    'configs/app.yaml',
    'configs/README.md',
    'configs/notes/more.md',
    'configs/testdata/t.yaml',
    'configs/subdir/s.yaml',
    'infrastructure/controllers/descheduler/release.yaml',
    'infrastructure/controllers/sealed-secrets/release.yaml',
  );

  it('drops files by name at any depth, whole directories, and paths relative to the glob root', () => {
    const copy = [
      op('@src/configs/**', '@artifact/apps/', { exclude: ['*.md', '**/testdata/**', 'subdir/**'] }),
    ];
    expect(files(copy, { src })).toEqual({ 'apps/app.yaml': 'src:configs/app.yaml' });
  });

  it('matches a pattern against the path from the source root too', () => {
    const copy = [
      op('@src/infrastructure/**', '@artifact/', { exclude: ['infrastructure/controllers/descheduler/**'] }),
    ];
    expect(files(copy, { src })).toEqual({
      'controllers/sealed-secrets/release.yaml': 'src:infrastructure/controllers/sealed-secrets/release.yaml',
    });
  });

  it('matches against the copied directory for a plain directory copy', () => {
    const copy = [op('@src/infrastructure', '@artifact/', { exclude: ['controllers/descheduler/**'] })];
    expect(Object.keys(files(copy, { src }))).toEqual([
      'infrastructure/controllers/sealed-secrets/release.yaml',
    ]);
  });

  it('skips an excluded single file without failing', () => {
    expect(files([op('@src/configs/README.md', '@artifact/x.md', { exclude: ['*.md'] })], { src })).toEqual(
      {},
    );
  });

  it('refuses a glob whose every match is excluded', () => {
    expect(code(() => files([op('@src/configs/*.md', '@artifact/', { exclude: ['*.md'] })], { src }))).toBe(
      'PathNotFound',
    );
  });

  it('reads brace alternatives', () => {
    const copy = [op('@src/configs/**', '@artifact/', { exclude: ['{notes,testdata,subdir}/**', '*.md'] })];
    expect(Object.keys(files(copy, { src }))).toEqual(['app.yaml']);
  });

  it('refuses a malformed exclude pattern', () => {
    expect(code(() => files([op('@src/configs/**', '@artifact/', { exclude: ['[x'] })], { src }))).toBe(
      'ValidationFailed',
    );
  });
});

describe('several operations', () => {
  it('run in order, later files overwriting earlier ones and other files kept', () => {
    const one = tree('config/app.yaml', 'config/database.yaml');
    const two = tree('config/app.yaml', 'config/network.yaml');
    expect(files([op('@one/**', '@artifact/'), op('@two/**', '@artifact/')], { one, two })).toEqual({
      'config/app.yaml': 'two:config/app.yaml',
      'config/database.yaml': 'one:config/database.yaml',
      'config/network.yaml': 'two:config/network.yaml',
    });
  });

  it('merge a YAML file onto the one already there with the Merge strategy', () => {
    const chart = tree('podinfo/Chart.yaml', 'podinfo/values.yaml');
    const repo = tree('values-prod.yaml');
    const copy = [
      op('@chart/', '@artifact/'),
      op('@repo/values-prod.yaml', '@artifact/podinfo/values.yaml', { strategy: 'Merge' }),
    ];
    expect(files(copy, { chart, repo })['podinfo/values.yaml']).toBe(
      'merge(chart:podinfo/values.yaml, repo:values-prod.yaml)',
    );
  });

  it('copy with the Merge strategy when nothing is there yet', () => {
    const repo = tree('values-prod.yaml');
    expect(
      files([op('@repo/values-prod.yaml', '@artifact/values.yaml', { strategy: 'Merge' })], { repo }),
    ).toEqual({
      'values.yaml': 'repo:values-prod.yaml',
    });
  });

  it('refuse a path that would be both a file and a directory', () => {
    const s = tree('a.yaml', 'dir/b.yaml');
    expect(code(() => files([op('@s/a.yaml', '@artifact/x'), op('@s/dir/**', '@artifact/x/')], { s }))).toBe(
      'ValidationFailed',
    );
  });

  it('refuse an alias the generator does not declare', () => {
    expect(code(() => files([op('@nope/a.yaml', '@artifact/')], { s: tree('a.yaml') }))).toBe(
      'ValidationFailed',
    );
  });

  it('refuse the Extract strategy, which this version does not support', () => {
    expect(
      code(() => files([op('@s/a.tgz', '@artifact/', { strategy: 'Extract' })], { s: tree('a.tgz') })),
    ).toBe('UnsupportedResource');
  });
});
