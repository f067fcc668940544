// `sluice check --cluster-root NAME=NS/NAME`, as the README lists it beside --cluster-var: a fleet whose root is
// flux-system/fleet, not flux-system/flux-system, and whose children name GitRepository fleet.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

let fleet: string;

beforeAll(() => {
  fleet = mkdtempSync(join(tmpdir(), 'sluice-check-root-names-'));
  cpSync(join(import.meta.dirname, '../fixtures/fleet-roots/root-names'), fleet, { recursive: true });
  execFileSync('git', ['init', '--quiet', fleet]);
});

afterAll(() => {
  rmSync(fleet, { recursive: true, force: true });
});

describe('sluice check --cluster-root', () => {
  it('checks the cluster from a root with the names given, and its children find the fleet by them', async () => {
    const run = await runCli(
      [
        'check',
        '--path',
        'clusters/dev',
        '--cluster-root',
        'dev=flux-system/fleet',
        '--render-sandbox',
        'auto',
        '--timeout',
        '2m',
        '--output',
        'json',
      ],
      { cwd: fleet },
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      summary: Record<string, number>;
      objects: { kind: string; namespace: string; name: string; file: string; verdict: string }[];
    };
    expect(report.summary).toEqual({ delivered: 2, different: 0, unsupported: 0, error: 0 });
    expect(report.objects.map((o) => [o.kind, `${o.namespace}/${o.name}`, o.file, o.verdict])).toEqual([
      ['Kustomization', 'flux-system/fleet', 'clusters/dev', 'delivered'],
      ['Kustomization', 'flux-system/apps', 'clusters/dev/apps.yaml', 'delivered'],
    ]);
  }, 120_000);
});
