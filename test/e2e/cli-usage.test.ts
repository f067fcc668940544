import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../support/run-cli.ts';

const project = join(import.meta.dirname, '../..');
const fixtures = join(project, 'test/fixtures/render');

function sluice(...args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: fixtures });
}

const build = ['build', 'kustomization', 'podinfo'];
const files = ['--path', 'overlay/repo/apps/prod', '--kustomization-file', 'overlay/kustomization.yaml'];

describe('sluice usage errors', () => {
  it('refuses an unknown flag with exit 2 and the flag it resembles', async () => {
    const run = await sluice(...build, ...files, '--strict-substitue');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^✗ unknown flag --strict-substitue; did you mean --strict-substitute\?/);
    expect(run.stderr).not.toContain('ERR_PARSE_ARGS');
    expect(run.stderr).not.toContain("Unknown option '");
  });

  it('refuses an unknown flag that resembles nothing without a guess', async () => {
    const run = await sluice(...build, ...files, '--frobnicate');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^✗ unknown flag --frobnicate\b/);
    expect(run.stderr).not.toContain('did you mean');
  });

  it('refuses a flag that wants a value and has none', async () => {
    const run = await sluice(...build, '--kustomization-file', 'overlay/kustomization.yaml', '--path');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^✗ --path needs a value/);
    expect(run.stderr).not.toContain('argument missing');
  });

  it('refuses build kustomization without --path, naming the flag', async () => {
    const run = await sluice(
      'build',
      'kustomization',
      'x',
      '--kustomization-file',
      'overlay/kustomization.yaml',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^✗ .*--path/);
  });

  it('refuses build kustomization without --kustomization-file, naming the flag', async () => {
    const run = await sluice('build', 'kustomization', 'x', '--path', 'overlay/repo/apps/prod');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^✗ .*--kustomization-file/);
  });

  it('refuses an unknown command with exit 2 and the command it resembles', async () => {
    const run = await sluice('stauts');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^✗ unknown command "stauts"; did you mean "sluice status"\?/);
  });

  it('suggests the whole command for a misspelt or incomplete one', async () => {
    const misspelt = await sluice('build', 'kustomisation', 'podinfo', ...files);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('did you mean "sluice build kustomization"?');
    const incomplete = await sluice('reconcile', 'source');
    expect(incomplete.code).toBe(2);
    expect(incomplete.stderr).toContain('did you mean "sluice reconcile source git"?');
  });

  it('refuses a bad flag value with exit 2', async () => {
    const run = await sluice('serve', '--port', 'eighty', '--no-puller');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^✗ --port must be a port number/);
  });
});
