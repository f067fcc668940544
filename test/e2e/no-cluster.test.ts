import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getArtifact, parseArtifactRef } from '../../cli/commands/get-artifact.ts';
import { formatStatus } from '../../cli/commands/status.ts';
import { type ControlPlane, startControlPlane } from '../../embedded/control-plane.ts';
import { findKubeconfig } from '../../embedded/find-kubeconfig.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import type { StatusView } from '../../shared/usecases/read-status.ts';
import { rejectionOf } from '../support/error-of.ts';
import { EXAMPLE_FLEET } from '../support/pipeline-harness.ts';
import { type CliRun, runCli } from '../support/run-cli.ts';

const _project = join(import.meta.dirname, '../..');
let root: string;
let home: string;
let plane: ControlPlane;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-no-cluster-'));
  home = join(root, 'home');
  mkdirSync(home);
  // A user with no kubeconfig at all: nothing in $KUBECONFIG, no ~/.kube/config.
  vi.stubEnv('KUBECONFIG', '');
  vi.stubEnv('HOME', home);
  plane = await startControlPlane({
    dataDir: join(root, 'data'),
    clusters: ['dev'],
    exampleFleetDir: EXAMPLE_FLEET,
    renderSandbox: 'auto',
    webhookSecret: 'no-cluster-secret',
    kube: 'default',
    // Where `sluice` looks with this HOME: the command line below finds it without flags.
    contextFile: join(home, '.config', 'sluice', 'context.json'),
    scheduleEveryMs: 3_600_000,
    log: silentLogger,
  });
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await plane?.close();
  rmSync(root, { recursive: true, force: true });
});

// As `--api URL --data-dir DIR` finds it: the address, and the token in the data directory.
const local = () => ({
  apiUrl: plane.apiUrl,
  from: '--api',
  apiToken: () => readFileSync(join(root, 'data', 'api-token'), 'utf8').trim(),
});

async function statusView(): Promise<StatusView> {
  return (await (await fetch(`${plane.apiUrl}/api/status`)).json()) as StatusView;
}

async function rendered(): Promise<StatusView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const view = await statusView();
    const ks = view.clusters[0]?.kustomizations ?? [];
    if (
      ['flux-system', 'infrastructure', 'apps'].every((n) => ks.find((k) => k.name === n)?.artifact?.digest)
    )
      return view;
    if (Date.now() > deadline) throw new Error(`not rendered: ${JSON.stringify(view)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function sluice(...args: string[]): Promise<CliRun> {
  return runCli(args, {
    cwd: root,
    env: { ...process.env, HOME: home, SLUICE_API: '', SLUICE_API_TOKEN: '' },
  });
}

describe('the local puller without a kubeconfig', () => {
  it('is off and says no kubeconfig was found, where it looked and how to point at one', () => {
    expect(plane.puller.state).toBe('off');
    const reason = plane.puller.state === 'off' ? plane.puller.reason : '';
    expect(reason).toContain('no kubeconfig found');
    expect(reason).toContain(join(home, '.kube', 'config'));
    expect(reason).toContain('KUBECONFIG=');
    expect(reason).toContain('--no-puller');
  });

  it('names the files of $KUBECONFIG when none of them exists', () => {
    const found = findKubeconfig({ KUBECONFIG: join(root, 'nowhere', 'config'), HOME: home });
    expect('reason' in found && found.reason).toContain(
      `no kubeconfig found (looked in $KUBECONFIG=${join(root, 'nowhere', 'config')})`,
    );
  });
});

describe('sluice status without a puller', () => {
  it('reports the local puller as off, with its reason, and says why nothing is applied', async () => {
    const view = await rendered();
    expect(view.localPuller).toEqual({
      state: 'off',
      reason: expect.stringContaining('no kubeconfig found'),
    });
    expect(formatStatus(view)).toContain(
      'APPLIED: nothing applied: no puller is running (no kubeconfig found (looked in $KUBECONFIG (not set)',
    );
  });
});

describe('sluice get artifact', () => {
  it('prints a target’s verified artifact as multi-document YAML', async () => {
    await rendered();
    const apps = await getArtifact(local(), { cluster: 'dev', namespace: 'flux-system', name: 'apps' });
    expect(apps).toMatch(/^kind: Deployment$/m);
    expect(apps).toMatch(/^ {2}name: podinfo$/m);
    expect(apps).toContain('---\n');
    // The ConfigMap apps substitutes from is in the cluster root's artifact.
    const root = await getArtifact(local(), parseArtifactRef('dev/flux-system/flux-system') ?? ({} as never));
    expect(root).toMatch(/^kind: ConfigMap$/m);
    expect(root).toMatch(/^ {2}name: cluster-vars$/m);
  });

  it('refuses an unknown target or cluster with ReferenceNotFound, naming what exists', async () => {
    const target = await rejectionOf(
      getArtifact(local(), { cluster: 'dev', namespace: 'flux-system', name: 'nope' }),
    );
    expect(target.code).toBe('ReferenceNotFound');
    expect(target.message).toContain('flux-system/apps');
    const cluster = await rejectionOf(
      getArtifact(local(), { cluster: 'prod', namespace: 'flux-system', name: 'apps' }),
    );
    expect(cluster.code).toBe('ReferenceNotFound');
    expect(cluster.message).toContain('dev');
  });

  it('exits 0 with YAML, 1 for an unknown target and 2 for a usage error, from the command line', async () => {
    await rendered();
    const api = ['--api', plane.apiUrl, '--data-dir', join(root, 'data')];
    const ok = await sluice('get', 'artifact', 'dev/apps', ...api);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^kind: Service$/m);
    const missing = await sluice('get', 'artifact', 'dev/nope', ...api);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('✗');
    const found = await sluice('get', 'artifact', 'dev/flux-system/apps');
    expect(found.code).toBe(0);
    expect(found.stdout).toBe(ok.stdout);
    expect((await sluice('get', 'artifact', ...api)).code).toBe(2);
    expect((await sluice('get', 'artifact', 'dev/a/b/c', ...api)).code).toBe(2);
  });
});
