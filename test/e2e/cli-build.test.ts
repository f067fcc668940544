// `sluice build kustomization` as a user runs it: flux build's flags, YAML on stdout, `✗ error` on stderr.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const project = join(import.meta.dirname, '../..');
const fixtures = join(project, 'test/fixtures/render');

function sluice(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(project, 'cli/sluice.ts'), ...args],
      { cwd: fixtures },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
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
      '✗ Kustomization/flux-system/podinfo: var substitution failed for \'prod-settings\' (ConfigMap): envsubst error: variable substitution failed: variable not set (strict mode): "cluster_name"; define it in spec.postBuild.substitute or substituteFrom, or give it a default like ${var:=default}\n',
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
