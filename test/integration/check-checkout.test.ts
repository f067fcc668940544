// What `sluice check` takes from a fleet checkout, as the README's --path flag describes it: tracked and untracked
// files with uncommitted edits, no .gitignore'd file, symbolic links as written, no submodule, and none of the
// user's Git configuration (here a signing setting that would fail any commit made with it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitCheckout, locateCheckout } from '../../cli/commands/check-checkout.ts';

let root: string;
let top: string;
let bare: string;
const savedGlobal = process.env.GIT_CONFIG_GLOBAL;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-check-checkout-'));
  top = join(root, 'fleet');
  mkdirSync(join(top, 'clusters/dev'), { recursive: true });
  writeFileSync(join(top, 'clusters/dev/apps.yaml'), 'committed\n');
  writeFileSync(join(top, '.gitignore'), 'secret.txt\n');
  git(root, 'init', '--quiet', top);
  git(top, 'add', '--all');
  git(top, 'commit', '--quiet', '-m', 'first');
  // After the commit: an edit, a new file, an ignored file, a relative link.
  writeFileSync(join(top, 'clusters/dev/apps.yaml'), 'edited\n');
  writeFileSync(join(top, 'clusters/dev/new.yaml'), 'untracked\n');
  writeFileSync(join(top, 'clusters/dev/secret.txt'), 'ignored\n');
  symlinkSync('apps.yaml', join(top, 'clusters/dev/link.yaml'));
  // A submodule, as a clone with one checked out has it.
  const sub = join(root, 'sub');
  mkdirSync(sub);
  writeFileSync(join(sub, 'x.yaml'), 'sub\n');
  git(root, 'init', '--quiet', sub);
  git(sub, 'add', '--all');
  git(sub, 'commit', '--quiet', '-m', 'sub');
  git(top, '-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', sub, 'vendor/sub');
  // The user's global configuration signs every commit with a program that always fails.
  const config = join(root, 'gitconfig');
  writeFileSync(config, '[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = /bin/false\n');
  process.env.GIT_CONFIG_GLOBAL = config;
  bare = join(root, 'out.git');
  await commitCheckout(await locateCheckout(join(top, 'clusters/dev')), join(root, 'work'), bare);
});

afterAll(() => {
  if (savedGlobal === undefined) delete process.env.GIT_CONFIG_GLOBAL;
  else process.env.GIT_CONFIG_GLOBAL = savedGlobal;
  rmSync(root, { recursive: true, force: true });
});

describe('the checkout sluice check commits', () => {
  it('holds tracked and untracked files as they are now, without ignored files or the submodule', () => {
    const files = git(bare, 'ls-tree', '-r', '--name-only', 'main').trim().split('\n');
    expect(files.sort()).toEqual(
      [
        '.gitignore',
        '.gitmodules',
        'clusters/dev/apps.yaml',
        'clusters/dev/link.yaml',
        'clusters/dev/new.yaml',
      ].sort(),
    );
    expect(git(bare, 'show', 'main:clusters/dev/apps.yaml')).toBe('edited\n');
    expect(git(bare, 'show', 'main:clusters/dev/new.yaml')).toBe('untracked\n');
  });

  it('keeps a symbolic link as written', () => {
    expect(git(bare, 'ls-tree', 'main', 'clusters/dev/link.yaml')).toMatch(/^120000 blob /);
    expect(git(bare, 'cat-file', '-p', 'main:clusters/dev/link.yaml')).toBe('apps.yaml');
  });
});
