// The fleet `sluice check` serves to its control plane: the files of the checkout as they are now (tracked
// and untracked, uncommitted edits included, .gitignore'd ones left out), committed to a repository of its own.
import { execFile } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { SluiceError } from '../../shared/core/errors.ts';

const run = promisify(execFile);

export interface Checkout {
  /** The Git work tree's top. */
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
  // Without Git there is no telling where the repository (which `../` paths climb to) starts.
  if (!top)
    throw new SluiceError(
      'UsageError',
      `--path ${path} is not inside a Git checkout; run sluice check in a clone of the fleet repository (or git init its top directory)`,
    );
  return { top, rootPath: relative(top, dir).split(sep).join('/') };
}

/** Git isolated from the user's configuration: no hooks, signing or templates of theirs run on the copy. */
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'sluice check',
  GIT_AUTHOR_EMAIL: 'check@localhost',
  GIT_COMMITTER_NAME: 'sluice check',
  GIT_COMMITTER_EMAIL: 'check@localhost',
};

/**
 * Commits the checkout's files, as they are now, on branch main of a new bare repository `bare`; `work` is
 * scratch space. Symbolic links stay as written (relative ones relative), as a clone of the fleet has them.
 */
export async function commitCheckout(checkout: Checkout, work: string, bare: string): Promise<void> {
  await copyCheckout(checkout, work);
  const git = (...args: string[]) => run('git', args, { env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 });
  await git('init', '--quiet', '--initial-branch=main', work);
  await git('-C', work, 'add', '--all');
  await git('-C', work, 'commit', '--quiet', '--no-verify', '--allow-empty', '--message', 'sluice check');
  mkdirSync(dirname(bare), { recursive: true });
  await git('clone', '--quiet', '--bare', work, bare);
}

/** Copies the checkout's files (those `git add --all` would take) into `into`. */
async function copyCheckout(checkout: Checkout, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  const files = await gitFiles(checkout.top);
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
