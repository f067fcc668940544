import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../support/run-cli.ts';

const _project = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-hints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sluice(...args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: dir });
}

function write(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

const ks = (postBuild = '') =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n${postBuild}`;

// No .git anywhere above: without --root, the root is --path itself, and ../base is outside it.
write(
  'fleet/base/cm.yaml',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\ndata:\n  a: ${value:=x}\n',
);
write(
  'fleet/base/kustomization.yaml',
  'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- cm.yaml\n',
);
write(
  'fleet/apps/kustomization.yaml',
  'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../base\n',
);
write('ks.yaml', ks());
write(
  'ks-vars.yaml',
  ks('  postBuild:\n    substituteFrom:\n    - kind: ConfigMap\n      name: cluster-vars\n'),
);

describe('sluice build kustomization explains its local choices', () => {
  it('names the root it used and suggests --root when a file is outside it', async () => {
    const run = await sluice(
      'build',
      'kustomization',
      'apps',
      '--path',
      'fleet/apps',
      '--kustomization-file',
      'ks.yaml',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the repository root used was ${join(dir, 'fleet/apps')}`);
    expect(run.stderr).toContain('pass --root');
    const fixed = await sluice(
      'build',
      'kustomization',
      'apps',
      '--path',
      'fleet/apps',
      '--kustomization-file',
      'ks.yaml',
      '--root',
      'fleet',
    );
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
  });

  it('suggests --kustomization-file or --dry-run for a missing substituteFrom ConfigMap', async () => {
    const args = [
      'build',
      'kustomization',
      'apps',
      '--path',
      'fleet/apps',
      '--kustomization-file',
      'ks-vars.yaml',
      '--root',
      'fleet',
    ];
    const run = await sluice(...args);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ks-vars.yaml');
    expect(run.stderr).toContain('--dry-run');
    expect((await sluice(...args, '--dry-run')).code).toBe(0);
  });

  it('says "not found" for a missing --path or --kustomization-file', async () => {
    const noPath = await sluice(
      'build',
      'kustomization',
      'apps',
      '--path',
      'fleet/nowhere',
      '--kustomization-file',
      'ks.yaml',
    );
    expect(noPath.stderr).toContain('fleet/nowhere": not found');
    const noFile = await sluice(
      'build',
      'kustomization',
      'apps',
      '--path',
      'fleet/apps',
      '--kustomization-file',
      'nope.yaml',
    );
    expect(noFile.stderr).toContain('"nope.yaml": not found');
  });
});
