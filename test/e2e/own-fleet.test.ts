// The README's "Your own fleet": `npm start -- --fleet-url <HTTP(S) URL> --fleet-branch main --cluster dev`
// renders that repository instead of the example fleet. Run through npm as the README shows, with a data
// directory and ports of the test's own so it never touches a checkout's .sluice/.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfinedProcess } from '../../shared/adapters/render/confined-process.ts';
import { createFixtureRepo } from '../support/git-fixture-repo.ts';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http-server.ts';
import { EXAMPLE_FLEET } from '../support/pipeline-harness.ts';

const project = join(import.meta.dirname, '../..');
const hasBwrap = existsSync('/usr/bin/bwrap') && new ConfinedProcess('auto').mode() === 'bwrap';
if (!hasBwrap)
  console.warn(
    'skipping the own-fleet walkthrough: `npm start` needs bubblewrap (Debian package bubblewrap)',
  );

let root: string;
let git: GitHttpServer;
let serve: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-own-fleet-'));
  const repo = await createFixtureRepo(join(root, 'served'), 'my-fleet');
  cpSync(EXAMPLE_FLEET, repo.workDir, { recursive: true });
  await repo.commit('my fleet');
  await repo.push();
  git = await startGitHttpServer({ root: join(root, 'served') });
});

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((r) => serve?.once('exit', r));
    serve.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  await git?.close();
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasBwrap)('npm start -- --fleet-url', () => {
  it('renders the given HTTP(S) repository for the given cluster', async () => {
    serve = spawn(
      'npm',
      [
        'start',
        '--silent',
        '--',
        '--fleet-url',
        git.url('my-fleet'),
        '--fleet-branch',
        'main',
        '--cluster',
        'dev',
        // The test's own place and ports, and no cluster to apply to.
        '--data-dir',
        join(root, 'data'),
        '--port',
        '0',
        '--git-port',
        '0',
        '--queue-port',
        '0',
        '--no-puller',
      ],
      { cwd: project, env: { ...process.env, XDG_CONFIG_HOME: join(root, 'config') }, stdio: 'pipe' },
    );
    serve.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    serve.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    let api: string | undefined;
    for (let i = 0; i < 300 && !api; i++) {
      await new Promise((r) => setTimeout(r, 100));
      api = /status\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/status/.exec(output)?.[1];
    }
    expect(api, output).toBeDefined();
    expect(output).toContain(`fleet repository   ${git.url('my-fleet')}`);
    // The embedded SOPS key, made on first start, and the recipient to encrypt fleet files to.
    expect(output).toMatch(
      / {2}SOPS age key {7}\S*keys\/sops\.agekey {2}\(encrypt fleet files to age1[02-9ac-hj-np-z]{58}\)/,
    );
    let rendered: unknown;
    for (let i = 0; i < 300 && !rendered; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const status = (await (await fetch(`${api}/api/status`)).json()) as {
        clusters: { name: string; kustomizations: { name: string; artifact?: unknown }[] }[];
      };
      rendered = status.clusters
        .find((c) => c.name === 'dev')
        ?.kustomizations.find((k) => k.name === 'apps' && k.artifact);
    }
    expect(rendered, output).toBeDefined();
  });
});

describe('npm start -- --help', () => {
  it('lists the serve flags the README points to', async () => {
    const help = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('npm', ['start', '--silent', '--', '--help'], { cwd: project, stdio: 'pipe' });
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(help.code).toBe(0);
    for (const flag of [
      '--fleet-url',
      '--fleet-branch',
      '--cluster',
      '--data-dir',
      '--no-puller',
      '--allow-source-host',
    ])
      expect(help.out).toContain(flag);
  });
});
