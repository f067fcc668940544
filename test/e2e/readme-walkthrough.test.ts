// The README's "Try it" walkthrough, run as written: a clone outside the project, the push, then the `sluice`
// command from bin/ (on the project's Node) finding the control plane through its context file.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../embedded/control-plane.ts';
import { contextFilePath } from '../../embedded/control-plane-context.ts';
import { silentLogger } from '../../shared/ports/logger.ts';

const run = promisify(execFile);
const project = fileURLToPath(new URL('../..', import.meta.url));
// The README's "Try it" block itself, so the two cannot drift apart; run from the project directory
// against `npm start`'s defaults, with only `.sluice/`, the Git port and `~` pointed at the test's own.
const README = readFileSync(join(project, 'README.md'), 'utf8');
const TRY_IT =
  /Try it \(in another terminal, from the project directory\):\n\n```sh\n([\s\S]*?)\n```/.exec(README)?.[1] ??
  '';

let root: string;
let home: string;
let config: string;
let dataDir: string;
let plane: ControlPlane;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-readme-'));
  home = join(root, 'home');
  config = join(root, 'config');
  dataDir = join(root, 'data');
  mkdirSync(home);
  plane = await startControlPlane({
    dataDir,
    clusters: ['dev'],
    exampleFleetDir: join(project, 'examples/fleet'),
    ports: { api: 0, git: 0, queue: 0 },
    renderSandbox: 'auto',
    kube: 'none',
    contextFile: contextFilePath({ XDG_CONFIG_HOME: config }),
    log: silentLogger,
  });
}, 60_000);

afterAll(async () => {
  await plane?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A shell as the user has it, but for a temporary home and config directory. */
function shell(script: string, cwd: string) {
  return run('sh', ['-ec', script], {
    cwd,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: config,
      GIT_AUTHOR_NAME: 'A User',
      GIT_AUTHOR_EMAIL: 'user@example.com',
      GIT_COMMITTER_NAME: 'A User',
      GIT_COMMITTER_EMAIL: 'user@example.com',
      GIT_TERMINAL_PROMPT: '0',
    },
  });
}

describe("the README's Try it", () => {
  it('pushes a change from a clone outside the project, reconciles it and shows it rendered', async () => {
    const gitPort = new URL(plane.fleetUrl).port;
    const script = TRY_IT.replaceAll('.sluice/', `${dataDir}/`).replaceAll(
      '127.0.0.1:7481',
      `127.0.0.1:${gitPort}`,
    );
    const { stdout } = await shell(script, project);
    expect(stdout).toContain('► fetch requested for GitRepository/flux-system/flux-system');
    expect(stdout).toContain('CLUSTER dev');

    const pushed = (await shell('git rev-parse HEAD', join(home, 'fleet'))).stdout.trim();
    // Rendering is asynchronous: the status the README shows is asked again until the push is rendered.
    let rendered = '';
    for (let i = 0; i < 120 && !rendered; i++) {
      // In the same terminal as the walkthrough: its PATH has the project's bin/.
      const status = (await shell(`export PATH="${join(project, 'bin')}:$PATH"; sluice status`, home)).stdout;
      rendered =
        status
          .split('\n')
          .find((l) => l.startsWith('flux-system/apps') && l.includes(pushed) && /\bTrue\b/.test(l)) ?? '';
      if (!rendered) await new Promise((r) => setTimeout(r, 500));
    }
    expect(rendered).not.toBe('');
  }, 120_000);
});
