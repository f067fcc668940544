// `sluice build kustomization` and `sluice build helmrelease` accept objects in the older Flux API versions,
// as `flux build` does: the same YAML on stdout as the v1/v2 object gives, and the deprecation on stderr.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeChart } from '../support/helm-charts.ts';
import { helmReleaseYaml } from '../support/helm-release-yaml.ts';
import { type CliRun, runCli } from '../support/run-cli.ts';

const fixtures = join(import.meta.dirname, '../fixtures/render');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-build-older-'));
  // The overlay fixture's Kustomization, in v1beta2 with a field v1 no longer has.
  const overlay = readFileSync(join(fixtures, 'overlay/kustomization.yaml'), 'utf8')
    .replace(
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\n',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1beta2\n',
    )
    .replace('  prune: true\n', '  prune: true\n  validation: server\n');
  await writeFile(join(dir, 'kustomization-v1beta2.yaml'), overlay);
  await writeChart(join(dir, 'charts'), {
    name: 'hello',
    version: '0.1.0',
    templates: {
      'configmap.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\ndata:\n  greeting: {{ .Values.greeting }}\n',
    },
  });
  const release = helmReleaseYaml('hello', {
    chart: './charts/hello',
    targetNamespace: 'apps',
    after: '  values:\n    greeting: hi\n',
  });
  await mkdir(join(dir, 'releases'), { recursive: true });
  await writeFile(join(dir, 'releases/v2.yaml'), release);
  await writeFile(
    join(dir, 'releases/v2beta2.yaml'),
    release.replace('helm.toolkit.fluxcd.io/v2\n', 'helm.toolkit.fluxcd.io/v2beta2\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sluice build kustomization of a kustomize.toolkit.fluxcd.io/v1beta2 Kustomization', () => {
  it('prints what the v1 one renders, and the deprecation and the ignored field on stderr', async () => {
    const run: CliRun = await runCli(
      [
        'build',
        'kustomization',
        'podinfo',
        '--path',
        'overlay/repo/apps/prod',
        '--kustomization-file',
        join(dir, 'kustomization-v1beta2.yaml'),
        '--root',
        'overlay/repo',
      ],
      { cwd: fixtures },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(fixtures, 'overlay/expected.yaml'), 'utf8'));
    expect(run.stderr).toBe(
      [
        '⚠ Kustomization/flux-system/podinfo: kustomize.toolkit.fluxcd.io/v1beta2 is deprecated and no longer served since Flux 2.8; Sluice converts it to v1 as Flux 2.7 did — move to kustomize.toolkit.fluxcd.io/v1',
        '⚠ Kustomization/flux-system/podinfo: spec.validation is not a field of kustomize.toolkit.fluxcd.io/v1, so Flux ignores it and so does Sluice; remove it: server-side apply always validates',
        '',
      ].join('\n'),
    );
  });
});

describe('sluice build helmrelease of a helm.toolkit.fluxcd.io/v2beta2 HelmRelease', () => {
  it('prints what the v2 one renders, and the deprecation on stderr', async () => {
    const build = (file: string) =>
      runCli(['build', 'helmrelease', 'hello', '--file', file, '--path', '.'], { cwd: dir });
    const current = await build('releases/v2.yaml');
    expect(current.stderr).toBe('');
    expect(current.code).toBe(0);
    expect(current.stdout).toContain('greeting: hi');
    const older = await build('releases/v2beta2.yaml');
    expect(older.code).toBe(0);
    expect(older.stdout).toBe(current.stdout);
    expect(older.stderr).toBe(
      '⚠ HelmRelease/flux-system/hello: helm.toolkit.fluxcd.io/v2beta2 is deprecated and no longer served since Flux 2.8; Sluice converts it to v2 as Flux 2.7 did — move to helm.toolkit.fluxcd.io/v2\n',
    );
  });
});
