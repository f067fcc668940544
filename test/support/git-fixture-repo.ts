// Test fixture: builds bare Git repos (served by git-http-server.ts) plus a work clone, using the native
// `git` CLI with a pinned identity, clock and config, so the same sequence of calls always yields the same shas.
import { execFile } from 'node:child_process';
import { symlink as fsSymlink, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface FixtureRepo {
  /** Repo name as passed to createFixtureRepo; serve it with `server.url(name)`. */
  readonly name: string;
  /** `<root>/<name>.git`, the bare repo the HTTP server exposes. */
  readonly bareDir: string;
  /** Work tree whose `origin` is bareDir (under `<root>/.work/`). */
  readonly workDir: string;
  /** Writes files (string contents) or deletes them (null), relative to the work tree; nothing is staged yet. */
  write(files: Record<string, string | null>): Promise<void>;
  /** Creates (or replaces) a symlink at `path` pointing to `target` in the work tree. */
  symlink(path: string, target: string): Promise<void>;
  /** Stages everything (`add -A`) and commits (empty commits allowed); returns the new commit sha. */
  commit(message: string): Promise<string>;
  /** Tags HEAD (or `ref`); returns the sha the tag ref points at (the tag object when annotated). */
  tag(name: string, opts?: { annotated?: boolean; message?: string; ref?: string }): Promise<string>;
  /** Pushes `branch` (default: the current one) and, unless `tags: false`, all tags to the bare repo. */
  push(opts?: { force?: boolean; branch?: string; tags?: boolean }): Promise<void>;
  /** Creates `name` at HEAD and switches to it. */
  checkoutNewBranch(name: string): Promise<void>;
  /** Switches to an existing local branch. */
  checkout(name: string): Promise<void>;
  /** `git reset --hard ref` in the work tree (then `push({ force: true })` to rewrite history). */
  resetHard(ref: string): Promise<void>;
  /** Sha of HEAD in the work tree. */
  head(): Promise<string>;
  /** Runs any git command in the work tree with the fixture's deterministic environment; returns trimmed stdout. */
  git(...args: string[]): Promise<string>;
}

const BASE_EPOCH = 1_700_000_000; // 2023-11-14T22:13:20Z; each commit or tag moves the clock one minute on.

/** Environment for every git child: inherited PATH/HOME but no inherited GIT_* and no user/system config. */
export function isolatedGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_') && key !== 'SSH_ASKPASS') env[key] = value;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

/** Runs `git args...` (no shell) in `cwd`; rejects with git's stderr in the message. */
export function runGit(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = isolatedGitEnv(),
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${err.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

/** Creates `<root>/<name>.git` (bare, fetchable by any sha, HTTP push off) and an empty work clone of it. */
export async function createFixtureRepo(root: string, name: string): Promise<FixtureRepo> {
  const bareDir = join(root, `${name}.git`);
  const workDir = join(root, '.work', name);
  await mkdir(workDir, { recursive: true });
  const config = ['-c', 'init.defaultBranch=main'];
  await runGit(root, [...config, 'init', '--quiet', '--bare', bareDir]);
  for (const [key, value] of [
    ['uploadpack.allowAnySHA1InWant', 'true'],
    ['uploadpack.allowReachableSHA1InWant', 'true'],
    ['uploadpack.allowFilter', 'true'],
    ['http.receivepack', 'false'],
  ] as const) {
    await runGit(bareDir, ['config', key, value]);
  }
  await runGit(workDir, [...config, 'init', '--quiet', '--initial-branch=main']);
  for (const [key, value] of [
    ['core.autocrlf', 'false'],
    ['core.symlinks', 'true'],
    ['commit.gpgsign', 'false'],
    ['tag.gpgsign', 'false'],
  ] as const) {
    await runGit(workDir, ['config', key, value]);
  }
  await runGit(workDir, ['remote', 'add', 'origin', bareDir]);

  let tick = 0;
  const clockEnv = (): NodeJS.ProcessEnv => {
    tick += 1;
    const date = `${BASE_EPOCH + tick * 60} +0000`;
    return isolatedGitEnv({
      GIT_AUTHOR_NAME: 'Sluice Test',
      GIT_AUTHOR_EMAIL: 'test@sluice.invalid',
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: 'Sluice Test',
      GIT_COMMITTER_EMAIL: 'test@sluice.invalid',
      GIT_COMMITTER_DATE: date,
    });
  };
  const git = (...args: string[]): Promise<string> => runGit(workDir, args);
  const inWork = (path: string): string => {
    const full = join(workDir, path);
    if (!full.startsWith(`${workDir}/`)) throw new Error(`fixture path escapes the work tree: ${path}`);
    return full;
  };

  return {
    name,
    bareDir,
    workDir,
    async write(files) {
      for (const [path, content] of Object.entries(files)) {
        const full = inWork(path);
        if (content === null) {
          await rm(full, { force: true, recursive: true });
        } else {
          await mkdir(dirname(full), { recursive: true });
          await writeFile(full, content);
        }
      }
    },
    async symlink(path, target) {
      const full = inWork(path);
      await mkdir(dirname(full), { recursive: true });
      await rm(full, { force: true });
      await fsSymlink(target, full);
    },
    async commit(message) {
      await git('add', '-A');
      await runGit(workDir, ['commit', '--quiet', '--allow-empty', '--no-verify', '-m', message], clockEnv());
      return git('rev-parse', 'HEAD');
    },
    async tag(tagName, opts = {}) {
      const args = opts.annotated ? ['tag', '-a', tagName, '-m', opts.message ?? tagName] : ['tag', tagName];
      await runGit(workDir, [...args, opts.ref ?? 'HEAD'], clockEnv());
      return git('rev-parse', `refs/tags/${tagName}`);
    },
    async push(opts = {}) {
      const branch = opts.branch ?? (await git('symbolic-ref', '--short', 'HEAD'));
      const plus = opts.force ? '+' : '';
      const refspecs = [`${plus}refs/heads/${branch}:refs/heads/${branch}`];
      if (opts.tags !== false) refspecs.push(`${plus}refs/tags/*:refs/tags/*`);
      await git('push', '--quiet', 'origin', ...refspecs);
    },
    async checkoutNewBranch(branch) {
      await git('checkout', '--quiet', '-b', branch);
    },
    async checkout(branch) {
      await git('checkout', '--quiet', branch);
    },
    async resetHard(ref) {
      await git('reset', '--quiet', '--hard', ref);
    },
    head() {
      return git('rev-parse', 'HEAD');
    },
    git,
  };
}
