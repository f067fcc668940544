// Path safety: user-supplied paths may not leave the repository root, and a hostile Git tree may not
// write outside the snapshot, plant a `.git` directory, or keep a symlink pointing outside.
import { describe, expect, it } from 'vitest';
import { assertSafeSymlink, assertSafeTreeEntry } from '../../../shared/core/paths/git-tree-path.ts';
import { isWithin, normalizeInside, secureJoin } from '../../../shared/core/paths/secure-join.ts';
import { errorOf } from '../../support/error-of.ts';

describe('secureJoin', () => {
  const inside: [string, string][] = [
    ['apps/prod', '/repo/apps/prod'],
    ['./apps', '/repo/apps'],
    ['apps/', '/repo/apps'],
    ['apps//prod/./x', '/repo/apps/prod/x'],
    ['apps/../base', '/repo/base'],
    ['', '/repo'],
    ['.', '/repo'],
    ['./', '/repo'],
    ['/apps', '/repo/apps'],
    ['/', '/repo'],
    ['apps\\prod', '/repo/apps/prod'],
    ['..data/x', '/repo/..data/x'],
    ['a/b/../../c', '/repo/c'],
  ];
  it.each(inside)('joins %j inside the root as %s', (rel, want) => {
    expect(secureJoin('/repo', rel, 'spec.path')).toBe(want);
  });

  const escaping = [
    '..',
    '../',
    '../x',
    './../x',
    'apps/../../x',
    'a/b/../../../x',
    '/../etc',
    '..\\x',
    'apps\\..\\..\\x',
  ];
  it.each(escaping)('refuses %j with PathEscapesRoot', (rel) => {
    expect(errorOf(() => secureJoin('/repo', rel, 'spec.path'))).toEqual({
      code: 'PathEscapesRoot',
      message: `spec.path ${JSON.stringify(rel)} points outside the repository; use a path relative to the repository root without leading '..'`,
    });
  });
});

describe('normalizeInside', () => {
  const cases: [string, string | undefined][] = [
    ['apps/prod', 'apps/prod'],
    ['./apps/', 'apps'],
    ['', ''],
    ['.', ''],
    ['/abs/path', 'abs/path'],
    ['a\\b', 'a/b'],
    ['a/./b/../c', 'a/c'],
    ['...', '...'],
    ['..', undefined],
    ['../x', undefined],
    ['x/../..', undefined],
    ['x/../../y', undefined],
  ];
  it.each(cases)('%j → %j', (rel, want) => {
    expect(normalizeInside(rel)).toBe(want);
  });
});

describe('isWithin', () => {
  const cases: [string, string, boolean][] = [
    ['/repo', '/repo', true],
    ['/repo', '/repo/a', true],
    ['/repo', '/repo/a/b/c', true],
    ['/repo', '/repo/..data', true],
    ['/repo', '/repo/..data/cm.yaml', true],
    ['/repo', '/repo/...', true],
    ['/repo', '/repository', false],
    ['/repo', '/repo2/a', false],
    ['/repo', '/', false],
    ['/repo', '/etc/passwd', false],
    ['/repo/apps', '/repo', false],
  ];
  it.each(cases)('isWithin(%s, %s) is %s', (root, child, want) => {
    expect(isWithin(root, child)).toBe(want);
  });
});

describe('assertSafeTreeEntry', () => {
  const safe = [
    'deploy.yaml',
    '.github',
    '.gitignore',
    '.gitmodules',
    '.git-crypt',
    'git',
    '..data',
    '...',
    '.sourceignore',
    'a b',
  ];
  it.each(safe)('accepts %j', (name) => {
    expect(() => assertSafeTreeEntry('apps', name)).not.toThrow();
  });

  const unsafe: [string, string][] = [
    ['', 'an empty name'],
    ['.', 'the current directory'],
    ['..', 'the parent directory'],
    ['.git', 'a .git directory'],
    ['.GIT', 'a .git directory in upper case'],
    ['.Git', 'a .git directory in mixed case'],
    ['a/b', 'a slash'],
    ['../x', 'a parent path'],
    ['/etc', 'an absolute path'],
    ['a\\b', 'a backslash'],
    ['..\\x', 'a backslash parent path'],
    ['a\0b', 'a NUL byte'],
  ];
  it.each(unsafe)('refuses %j (%s)', (name) => {
    const err = errorOf(() => assertSafeTreeEntry('apps', name));
    expect(err.code).toBe('PathEscapesRoot');
    expect(err.message).toMatch(
      /^repository contains an unsafe path entry ".*"; remove it from the repository$/,
    );
  });

  it('names the full path of the entry', () => {
    expect(errorOf(() => assertSafeTreeEntry('apps/web', '.git')).message).toBe(
      'repository contains an unsafe path entry "apps/web/.git"; remove it from the repository',
    );
  });
});

describe('assertSafeSymlink', () => {
  const safe: [string, string][] = [
    ['link', 'target.yaml'],
    ['link', './sub/target.yaml'],
    ['link', '.'],
    ['a/link', '..'],
    ['a/link', '../b/c.yaml'],
    ['a/b/link', '../../c'],
    ['a/link', 'x/../y'],
    ['a/link', '..data/cm.yaml'],
  ];
  it.each(safe)('accepts %s -> %s', (link, target) => {
    expect(() => assertSafeSymlink(link, target)).not.toThrow();
  });

  const unsafe: [string, string][] = [
    ['link', '..'],
    ['link', '../x'],
    ['link', '../../etc/passwd'],
    ['a/link', '../../x'],
    ['a/b/link', '../../../x'],
    ['link', 'sub/../../x'],
    ['a/link', 'b/../../../x'],
    ['link', '/etc/passwd'],
    ['link', '/'],
  ];
  it.each(unsafe)('refuses %s -> %s', (link, target) => {
    expect(errorOf(() => assertSafeSymlink(link, target))).toEqual({
      code: 'PathEscapesRoot',
      message: `symlink ${link} -> ${target} points outside the repository; replace it with a path inside the repository`,
    });
  });
});
