// Embedded mode's fleet repository: on first run, the example fleet in examples/fleet is committed into a
// bare repository under the data directory, which the local Git server then serves like any Git host.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Sluice',
  GIT_AUTHOR_EMAIL: 'sluice@localhost',
  GIT_COMMITTER_NAME: 'Sluice',
  GIT_COMMITTER_EMAIL: 'sluice@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Creates `<gitRoot>/<name>.git` from `sourceDir` unless it exists; returns true when it was created. */
export async function ensureExampleFleet(gitRoot: string, name: string, sourceDir: string): Promise<boolean> {
  const bare = join(gitRoot, `${name}.git`);
  if (existsSync(join(bare, 'HEAD'))) return false;
  mkdirSync(gitRoot, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'sluice-fleet-'));
  const env = { ...process.env, ...GIT_ENV };
  try {
    // verbatimSymlinks: a fleet's relative links stay relative (Node would make them absolute, into this machine).
    cpSync(sourceDir, work, { recursive: true, verbatimSymlinks: true });
    await run('git', ['init', '--quiet', '--initial-branch=main', work], { env });
    await run('git', ['-C', work, 'add', '--all'], { env });
    await run('git', ['-C', work, 'commit', '--quiet', '--message', 'Example fleet from Sluice'], { env });
    await run('git', ['clone', '--quiet', '--bare', work, bare], { env });
    // A local playground: accept pushes over the loopback HTTP server.
    await run('git', ['--git-dir', bare, 'config', 'http.receivepack', 'true'], { env });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return true;
}
