// The fleet `sluice check` serves to its control plane: the files of the checkout as they are now (tracked
// and untracked, uncommitted edits included, .gitignore'd ones left out, as a commit would hold them).
import { execFile } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { SluiceError } from '../../shared/core/errors.ts';

const run = promisify(execFile);

export interface Checkout {
  /** The Git work tree's top, or the directory itself outside Git. */
  top: string;
  /** The cluster root relative to `top`, `/`-separated ('' when it is the top). */
  rootPath: string;
}

/** Where the cluster root sits in its repository; a missing directory is an error naming it. */
export async function locateCheckout(path: string): Promise<Checkout> {
  let dir: string;
  try {
    dir = realpathSync(path);
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new SluiceError(
      'UsageError',
      `--path ${path} is not a directory; give the cluster root of a fleet checkout, e.g. --path clusters/prod`,
    );
  }
  const top = await gitTop(dir);
  return { top: top ?? dir, rootPath: top ? relative(top, dir).split(sep).join('/') : '' };
}

/** Copies the checkout's files (those `git add --all` would take) into `into`. */
export async function copyCheckout(checkout: Checkout, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  const files = (await isGitTop(checkout.top)) ? await gitFiles(checkout.top) : walk(checkout.top);
  for (const file of files) {
    const from = join(checkout.top, file);
    // Deleted but not yet committed, or a submodule (Flux leaves submodules out unless asked): not copied.
    const stat = lstatSync(from, { throwIfNoEntry: false });
    if (!stat || stat.isDirectory()) continue;
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(from, join(into, file), { verbatimSymlinks: true });
  }
}

async function gitTop(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', dir, 'rev-parse', '--show-toplevel']);
    return realpathSync(stdout.trim());
  } catch {
    return undefined;
  }
}

async function isGitTop(dir: string): Promise<boolean> {
  return (await gitTop(dir)) === dir;
}

async function gitFiles(top: string): Promise<string[]> {
  const { stdout } = await run(
    'git',
    ['-C', top, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  return [...new Set(stdout.split('\0').filter((f) => f !== ''))];
}

/** Outside Git: every file but a `.git` directory's. */
function walk(top: string, at = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(top, at), { withFileTypes: true })) {
    const path = at ? `${at}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== '.git') out.push(...walk(top, path));
    } else out.push(path);
  }
  return out;
}
