// `sluice check` on the Flux objects Sluice skips wherever they come from, as the README's verdict table lists
// them: a FluxInstance below the cluster root, and a Flux object a HelmRelease's chart renders.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmReleaseYaml } from '../support/helm-release-yaml.ts';
import { kustomizationYaml } from '../support/kustomization-yaml.ts';
import { runCli } from '../support/run-cli.ts';

let fleet: string;

const FILES: Record<string, string> = {
  'clusters/dev/apps.yaml': kustomizationYaml('apps', { path: './apps' }),
  'apps/flux-instance.yaml': `apiVersion: fluxcd.controlplane.io/v1
kind: FluxInstance
metadata:
  name: flux
  namespace: flux-system
spec:
  distribution:
    version: 2.x
    registry: ghcr.io/fluxcd
  sync:
    kind: GitRepository
    url: https://git.example/org/fleet.git
    ref: refs/heads/main
    path: clusters/dev
`,
  'clusters/dev/fluxy.yaml': helmReleaseYaml('fluxy', {
    chart: './charts/fluxy',
    targetNamespace: 'default',
  }),
  'charts/fluxy/Chart.yaml': 'apiVersion: v2\nname: fluxy\nversion: 0.1.0\n',
  'charts/fluxy/templates/kustomization.yaml': kustomizationYaml('from-the-chart', { path: './apps' }),
};

beforeAll(() => {
  fleet = mkdtempSync(join(tmpdir(), 'sluice-check-skipped-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(fleet, path)), { recursive: true });
    writeFileSync(join(fleet, path), text);
  }
  execFileSync('git', ['init', '--quiet', fleet]);
});

afterAll(() => {
  rmSync(fleet, { recursive: true, force: true });
});

describe('sluice check on Flux objects Sluice skips', () => {
  it('names a FluxInstance below the root and a Flux object a chart renders as unsupported (exit 1)', async () => {
    const run = await runCli(
      ['check', '--path', 'clusters/dev', '--render-sandbox', 'auto', '--timeout', '2m', '--output', 'json'],
      { cwd: fleet },
    );
    expect(run.code, run.stderr).toBe(1);
    const objects = (
      JSON.parse(run.stdout) as { objects: { kind: string; name: string; verdict: string; reason: string }[] }
    ).objects;
    const of = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.name === name);
    expect(of('FluxInstance', 'flux')).toMatchObject({
      verdict: 'unsupported',
      reason: expect.stringMatching(
        /^declared below the cluster root \(by Kustomization flux-system\/apps\)/,
      ),
    });
    expect(of('Kustomization', 'from-the-chart')).toMatchObject({
      verdict: 'unsupported',
      reason: expect.stringMatching(/^rendered by the chart of HelmRelease flux-system\/fluxy/),
    });
    expect(of('Kustomization', 'apps')?.verdict).toBe('delivered');
  }, 120_000);
});
