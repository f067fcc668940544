// `sluice build kustomization` as a user runs it: flux build's flags, YAML on stdout, `✗ error` on stderr.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../support/run-cli.ts';

const project = join(import.meta.dirname, '../..');
const fixtures = join(project, 'test/fixtures/render');

function sluice(...args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: fixtures });
}

describe('sluice build kustomization', () => {
  it('prints the Flux render and exits 0', async () => {
    const run = await sluice(
      'build',
      'kustomization',
      'podinfo',
      '--path',
      'overlay/repo/apps/prod',
      '--kustomization-file',
      'overlay/kustomization.yaml',
      '--root',
      'overlay/repo',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(fixtures, 'overlay/expected.yaml'), 'utf8'));
  });

  it('skips substituteFrom with --dry-run, leaving defaults to the inline variables', async () => {
    const run = await sluice(
      'build',
      'kustomization',
      'podinfo',
      '--dry-run',
      '--path',
      'overlay/repo/apps/prod',
      '--kustomization-file',
      'overlay/kustomization.yaml',
      '--root',
      'overlay/repo',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('replicas: 1\n'); // ${replicas:=1}: the ConfigMap was not read
    expect(run.stdout).toContain('  cluster: null\n');
  });

  it('fails with --strict-substitute=true on an unset variable, exit 1 and the error on stderr', async () => {
    const run = await sluice(
      'build',
      'kustomization',
      'podinfo',
      '--dry-run',
      '--strict-substitute=true',
      '--path',
      'overlay/repo/apps/prod',
      '--kustomization-file',
      'overlay/kustomization.yaml',
      '--root',
      'overlay/repo',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      '✗ overlay/kustomization.yaml: Kustomization/flux-system/podinfo: var substitution failed for \'prod-settings\' (ConfigMap): envsubst error: variable substitution failed: variable not set (strict mode): "cluster_name"; define it in spec.postBuild.substitute or substituteFrom, or give it a default like ${var:=default}\n',
    );
  });

  it('names a Kustomization that is not in the file, and a bad flag value', async () => {
    const missing = await sluice(
      'build',
      'kustomization',
      'nope',
      '--path',
      'overlay/repo/apps/prod',
      '--kustomization-file',
      'overlay/kustomization.yaml',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "✗ failed find kustomization with name 'nope' and namespace 'flux-system' in file 'overlay/kustomization.yaml'\n",
    );
    const badFlag = await sluice(
      'build',
      'kustomization',
      'podinfo',
      '--strict-substitute=maybe',
      '--path',
      '.',
    );
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('✗ --strict-substitute must be true or false, got "maybe"');
  });
});

describe('sluice build kustomization into a pipe', () => {
  // A render several times a pipe's buffer (64 KiB on Linux): 200 ConfigMaps of 2 KB each.
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-big-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  const names = Array.from({ length: 200 }, (_, i) => `cm-${String(i).padStart(3, '0')}`);
  for (const name of names)
    writeFileSync(
      join(repo, `${name}.yaml`),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  blob: ${'x'.repeat(2000)}\n`,
    );
  writeFileSync(
    join(repo, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${names.map((n) => `- ${n}.yaml\n`).join('')}`,
  );
  writeFileSync(
    join(dir, 'ks.yaml'),
    'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: big\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
  );
  const args = [
    'build',
    'kustomization',
    'big',
    '--path',
    'repo',
    '--kustomization-file',
    'ks.yaml',
    '--root',
    'repo',
  ];

  /** Runs `sluice ARGS REDIRECT` in bash with pipefail, so a failing sluice fails the pipeline. */
  function shell(redirect: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        'bash',
        [
          '-c',
          `set -o pipefail; "$0" "$@" ${redirect}`,
          process.execPath,
          join(project, 'cli/sluice.ts'),
          ...args,
        ],
        { cwd: dir },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('writes the whole render through a pipe, the same bytes as to a file', async () => {
    const toFile = await shell('> render.yaml');
    expect(toFile.code).toBe(0);
    const size = statSync(join(dir, 'render.yaml')).size;
    expect(size).toBeGreaterThan(400_000);

    const piped = await shell('| wc -c');
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    expect(Number(piped.stdout.trim())).toBe(size);
    const hashed = await shell('| sha256sum');
    const fileHash = await new Promise<string>((resolve) =>
      execFile('sha256sum', ['render.yaml'], { cwd: dir }, (_e, out) => resolve(out.split(' ')[0] ?? '')),
    );
    expect(hashed.stdout.split(' ')[0]).toBe(fileHash);
  });
});

describe('sluice serve --render-sandbox', () => {
  it('takes only auto, bwrap or none, with a usage error naming the flag', async () => {
    const run = await sluice('serve', '--render-sandbox', 'maybe', '--no-puller');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--render-sandbox must be auto, bwrap or none');
  });
});
