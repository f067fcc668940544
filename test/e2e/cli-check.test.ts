// `sluice check` on fleet checkouts built here: the real CLI runs the embedded pipeline on each (no cluster,
// no cloud account) and reports per Flux object what Sluice will do with it, in a table or in stable JSON.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BucketHost, bucketSourceYaml, startBucketHost } from '../support/bucket-host.ts';
import { type ChartRepoServer, startChartRepoServer } from '../support/chart-repo-server.ts';
import { createFixtureRepo } from '../support/git-fixture-repo.ts';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http-server.ts';
import { kustomizationYaml } from '../support/kustomization-yaml.ts';
import { EXAMPLE_FLEET } from '../support/pipeline-harness.ts';
import { type CliRun, runCli } from '../support/run-cli.ts';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sluice-check-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fleet checkout: the files, in a Git work tree that has never committed (sluice check takes them as they are). */
function checkout(name: string, files: Record<string, string>, from?: string): string {
  const dir = join(root, name);
  // Symbolic links as written: a clone of the fleet has them relative.
  if (from) cpSync(from, dir, { recursive: true, verbatimSymlinks: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  execFileSync('git', ['init', '--quiet', dir]);
  return dir;
}

function check(dir: string, ...args: string[]): Promise<CliRun> {
  return runCli(['check', '--render-sandbox', 'auto', '--timeout', '2m', ...args], { cwd: dir });
}

/** A loopback port nobody listens on: a source there is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('sluice check on the example fleet', () => {
  let fleet: string;
  beforeAll(() => {
    fleet = checkout('example', {}, EXAMPLE_FLEET);
  });

  it('reports every Flux object delivered, in the documented JSON, and exits 0', async () => {
    const run = await check(fleet, '--path', 'clusters/dev', '--output', 'json');
    expect(run.stderr).toBe('');
    expect(run.code, run.stderr).toBe(0);
    const delivered = (kind: string, name: string, file: string, reason = '') => ({
      kind,
      namespace: 'flux-system',
      name,
      file,
      verdict: 'delivered',
      reason,
    });
    expect(JSON.parse(run.stdout)).toEqual({
      summary: { delivered: 4, different: 0, unsupported: 0, error: 0 },
      objects: [
        // The cluster root: gotk-sync.yaml's GitRepository and Kustomization are the fleet itself.
        delivered('Kustomization', 'flux-system', 'clusters/dev'),
        delivered('Kustomization', 'apps', 'clusters/dev/apps.yaml'),
        delivered('HelmRelease', 'hello', 'clusters/dev/hello.yaml'),
        delivered('Kustomization', 'infrastructure', 'clusters/dev/infrastructure.yaml'),
      ],
    });
  }, 120_000);

  it('prints a table and the totals for a person, the cluster named after the path', async () => {
    const run = await check(fleet, '--path', join(fleet, 'clusters/dev'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(EXAMPLE_TABLE);
  }, 120_000);
});

/** The README shows this run verbatim. */
const EXAMPLE_TABLE = `KIND           NAMESPACE/NAME              FILE                              VERDICT    REASON
Kustomization  flux-system/flux-system     clusters/dev                      delivered
Kustomization  flux-system/apps            clusters/dev/apps.yaml            delivered
HelmRelease    flux-system/hello           clusters/dev/hello.yaml           delivered
Kustomization  flux-system/infrastructure  clusters/dev/infrastructure.yaml  delivered

4 Flux objects: 4 delivered, 0 different, 0 unsupported, 0 error
`;

describe('sluice check on a fleet Sluice cannot take as it is', () => {
  let fleet: string;
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
    fleet = checkout('migration', migrationFleet(port));
  });

  it('names what is unsupported, different and failing, in the documented JSON, and exits 1', async () => {
    const run = await check(
      fleet,
      '--path',
      'clusters/prod',
      '--output',
      'json',
      '--allow-source-host',
      '127.0.0.1',
    );
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    const at = (kind: string, name: string, file: string, verdict: string, reason: string) => ({
      kind,
      namespace: 'flux-system',
      name,
      file,
      verdict,
      reason,
    });
    const notifications =
      'notifications are not sent by Sluice: Alerts and Providers have no effect (sluice status shows what each object did)';
    expect(report).toEqual({
      summary: { delivered: 3, different: 1, unsupported: 2, error: 3 },
      objects: [
        at('Kustomization', 'flux-system', 'clusters/prod', 'delivered', ''),
        at(
          'Kustomization',
          'apps',
          'clusters/prod/apps.yaml',
          'different',
          'spec.validation is not a field of kustomize.toolkit.fluxcd.io/v1, so Flux ignores it and so does Sluice; remove it: server-side apply always validates',
        ),
        at(
          'Kustomization',
          'broken',
          'clusters/prod/apps.yaml',
          'error',
          expect.stringContaining('spec.path'),
        ),
        // Waiting on a chart whose repository failed: that failure is its reason.
        at(
          'HelmRelease',
          'podinfo',
          'clusters/prod/charts.yaml',
          'error',
          expect.stringMatching(
            /^its source could not be fetched: .*HelmRepository 'flux-system\/unreachable'/,
          ),
        ),
        at(
          'HelmRepository',
          'unreachable',
          'clusters/prod/charts.yaml',
          'error',
          `cannot reach http://127.0.0.1:${port}/charts/index.yaml (ECONNREFUSED)`,
        ),
        at('Alert', 'on-call', 'clusters/prod/notifications.yaml', 'unsupported', notifications),
        at('Provider', 'slack', 'clusters/prod/notifications.yaml', 'unsupported', notifications),
        at(
          'GitRepository',
          'paused',
          'clusters/prod/paused.yaml',
          'delivered',
          'suspended (spec.suspend): not fetched, as in Flux',
        ),
        at(
          'Kustomization',
          'paused',
          'clusters/prod/paused.yaml',
          'delivered',
          'suspended (spec.suspend): Sluice stops delivering it, as Flux stops reconciling it',
        ),
      ],
    });
    // Each object's keys in the documented order: the JSON is a contract.
    expect(Object.keys(report.objects[0])).toEqual([
      'kind',
      'namespace',
      'name',
      'file',
      'verdict',
      'reason',
    ]);
    expect(Object.keys(report)).toEqual(['summary', 'objects']);
    expect(Object.keys(report.summary)).toEqual(['delivered', 'different', 'unsupported', 'error']);
  }, 120_000);

  it('prints one line per object, the totals, and exits 1', async () => {
    const run = await check(fleet, '--path', 'clusters/prod', '--allow-source-host', '127.0.0.1');
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KIND +NAMESPACE\/NAME +FILE +VERDICT +REASON$/);
    expect(lines.slice(1, 10).map((l) => l.split(/ {2,}/).slice(0, 4))).toEqual([
      ['Kustomization', 'flux-system/flux-system', 'clusters/prod', 'delivered'],
      ['Kustomization', 'flux-system/apps', 'clusters/prod/apps.yaml', 'different'],
      ['Kustomization', 'flux-system/broken', 'clusters/prod/apps.yaml', 'error'],
      ['HelmRelease', 'flux-system/podinfo', 'clusters/prod/charts.yaml', 'error'],
      ['HelmRepository', 'flux-system/unreachable', 'clusters/prod/charts.yaml', 'error'],
      ['Alert', 'flux-system/on-call', 'clusters/prod/notifications.yaml', 'unsupported'],
      ['Provider', 'flux-system/slack', 'clusters/prod/notifications.yaml', 'unsupported'],
      ['GitRepository', 'flux-system/paused', 'clusters/prod/paused.yaml', 'delivered'],
      ['Kustomization', 'flux-system/paused', 'clusters/prod/paused.yaml', 'delivered'],
    ]);
    expect(lines.at(-1)).toBe('9 Flux objects: 3 delivered, 1 different, 2 unsupported, 3 error');
  }, 120_000);
});

/** One row of the JSON report, in flux-system (where every fixture below declares its objects). */
const row = (kind: string, name: string, file: string, verdict = 'delivered', reason = '') => ({
  kind,
  namespace: 'flux-system',
  name,
  file,
  verdict,
  reason,
});

const FLEET_ROOTS = join(import.meta.dirname, '../fixtures/fleet-roots');

describe('sluice check on the fleet-roots fixtures', () => {
  it('follows a fleet bootstrapped at kubernetes/flux/cluster, Flux install manifests and all', async () => {
    const fleet = checkout('bootstrap-path', {}, join(FLEET_ROOTS, 'bootstrap-path'));
    const run = await check(
      fleet,
      '--path',
      'kubernetes/flux/cluster',
      '--cluster',
      'home',
      '--output',
      'json',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      summary: { delivered: 2, different: 0, unsupported: 0, error: 0 },
      objects: [
        row('Kustomization', 'flux-system', 'kubernetes/flux/cluster'),
        row('Kustomization', 'apps', 'kubernetes/flux/cluster/apps.yaml'),
      ],
    });
  }, 120_000);

  it('takes one cluster of a shared path with its own variables', async () => {
    const fleet = checkout('shared-path', {}, join(FLEET_ROOTS, 'shared-path'));
    const path = 'kubernetes/clusters/production';
    const run = await check(
      fleet,
      '--path',
      path,
      '--cluster',
      'eu-1',
      '--cluster-var',
      'eu-1:REGION=eu-west-1',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      '2 Flux objects: 2 delivered, 0 different, 0 unsupported, 0 error',
    );
  }, 120_000);

  it('reads a Flux Operator fleet: the FluxInstance is different, what it syncs delivered', async () => {
    const fleet = checkout('flux-instance', {}, join(FLEET_ROOTS, 'flux-instance'));
    const run = await check(fleet, '--path', 'clusters/prod', '--output', 'json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      summary: { delivered: 2, different: 1, unsupported: 0, error: 0 },
      objects: [
        row('Kustomization', 'flux-system', 'clusters/prod'),
        row('Kustomization', 'apps', 'clusters/prod/apps.yaml'),
        row(
          'FluxInstance',
          'flux',
          'clusters/prod/flux-system/flux-instance.yaml',
          'different',
          'its distribution, components and cluster settings install Flux, which Sluice replaces, so they are not applied; its spec.sync is read as the cluster root',
        ),
      ],
    });
  }, 120_000);
});

describe('sluice check on a fleet with ResourceSets', () => {
  // tenants/base/welcome.yaml is a relative symbolic link: the generated Kustomizations render through it.
  it('reports what each generated, and a dynamic input provider and its ResourceSet as unsupported', async () => {
    const fleet = checkout('resourceset', {}, join(import.meta.dirname, '../fixtures/check/resourceset'));
    const run = await check(fleet, '--path', 'clusters/dev', '--output', 'json');
    expect(run.code, run.stderr).toBe(1);
    const file = 'clusters/dev/tenants.yaml';
    const dynamic =
      'input provider type GitHubPullRequest is not supported by Sluice yet: its inputs come from a service at runtime, not from Git (use type Static, or inline spec.inputs)';
    const generated = 'generated by ResourceSet flux-system/tenants';
    expect(JSON.parse(run.stdout)).toEqual({
      summary: { delivered: 4, different: 0, unsupported: 2, error: 0 },
      objects: [
        row('Kustomization', 'flux-system', 'clusters/dev'),
        row('Kustomization', 'team-a-apps', file, 'delivered', generated),
        row('Kustomization', 'team-b-apps', file, 'delivered', generated),
        row(
          'ResourceSet',
          'previews',
          file,
          'unsupported',
          `ResourceSetInputProvider/flux-system/pull-requests: ${dynamic}`,
        ),
        row('ResourceSet', 'tenants', file, 'delivered', 'expanded into 2 objects'),
        row('ResourceSetInputProvider', 'pull-requests', file, 'unsupported', dynamic),
      ],
    });
  }, 120_000);
});

describe('sluice check on a fleet with a Bucket and ArtifactGenerators', () => {
  let host: BucketHost;
  beforeAll(async () => {
    host = await startBucketHost('assets');
    await host.put('settings/cm.yaml', configMapYaml('from-bucket'));
  });
  afterAll(async () => {
    await host?.close();
  });

  it('fetches the Bucket, composes each artifact, and names the generator that cannot compose', async () => {
    const fleet = checkout('generators', {
      'clusters/dev/generator.yaml': generatorFleet(host),
      'app-base/kustomization.yaml': 'resources:\n- base-cm.yaml\n- cm.yaml\n',
      'app-base/base-cm.yaml': configMapYaml('from-git'),
    });
    const run = await check(
      fleet,
      '--path',
      'clusters/dev',
      '--output',
      'json',
      '--allow-source-host',
      host.origin,
    );
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.summary).toEqual({ delivered: 4, different: 0, unsupported: 0, error: 1 });
    const file = 'clusters/dev/generator.yaml';
    const generatorFile = 'clusters/dev/generator.yaml';
    expect(report.objects).toHaveLength(5);
    expect(report.objects).toEqual(
      expect.arrayContaining([
        row('Kustomization', 'flux-system', 'clusters/dev'),
        row('Bucket', 'assets', file),
        row('ArtifactGenerator', 'app', generatorFile),
        row('Kustomization', 'composed', file),
        row(
          'ArtifactGenerator',
          'broken',
          generatorFile,
          'error',
          "its artifact orphan could not be composed: spec.sources[alias=repo]: GitRepository 'flux-system/nowhere' not found in cluster dev; declare it in the fleet (it is looked for again when the generator composes)",
        ),
      ]),
    );
  }, 120_000);
});

const configMapYaml = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  value: one\n`;

/** A Bucket on the embedded S3-compatible server, an artifact composed from it and the fleet, and one that cannot be. */
const generatorFleet = (host: BucketHost) => `${bucketSourceYaml(host)}---
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: app
  namespace: flux-system
spec:
  sources:
    - alias: fleet
      kind: GitRepository
      name: flux-system
    - alias: assets
      kind: Bucket
      name: assets
  artifacts:
    - name: composed
      copy:
        - from: "@fleet/app-base/**"
          to: "@artifact/app/"
        - from: "@assets/settings/cm.yaml"
          to: "@artifact/app/"
---
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: broken
  namespace: flux-system
spec:
  sources:
    - alias: repo
      kind: GitRepository
      name: nowhere
  artifacts:
    - name: orphan
      copy:
        - from: "@repo/**"
          to: "@artifact/"
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: composed
  namespace: flux-system
spec:
  interval: 1h
  path: ./app
  prune: true
  sourceRef:
    kind: ExternalArtifact
    name: composed
`;

describe('sluice check on a fleet whose root cannot declare a child', () => {
  it('names the refused child, and its siblings as not delivered because of it', async () => {
    const child = (name: string, extra: string) =>
      `---\n${kustomizationYaml(name, { path: './apps', after: extra })}`;
    const fleet = checkout('refused-child', {
      'clusters/dev/apps.yaml':
        child('remote', '  kubeConfig:\n    secretRef:\n      name: remote-kubeconfig\n') +
        child('local', ''),
      'apps/configmap.yaml': configMapYaml('app'),
    });
    const run = await check(fleet, '--path', 'clusters/dev', '--output', 'json');
    expect(run.code, run.stderr).toBe(1);
    const refused =
      "spec.kubeConfig: remote clusters are not supported: Sluice's puller applies only to its own cluster, so this Kustomization is refused; declare it in the fleet path of the cluster it is meant for, without kubeConfig (each cluster's own puller delivers it)";
    expect(JSON.parse(run.stdout)).toEqual({
      summary: { delivered: 0, different: 0, unsupported: 1, error: 2 },
      objects: [
        // The root's render fails as a whole (as in Flux): nothing it declares is delivered.
        row(
          'Kustomization',
          'flux-system',
          'clusters/dev',
          'error',
          `clusters/dev/apps.yaml: Kustomization/flux-system/remote: ${refused}`,
        ),
        row(
          'Kustomization',
          'local',
          'clusters/dev/apps.yaml',
          'error',
          'not delivered: the render of Kustomization flux-system/flux-system, which declares it, failed',
        ),
        row('Kustomization', 'remote', 'clusters/dev/apps.yaml', 'unsupported', refused),
      ],
    });
  }, 120_000);
});

describe('sluice check with a source that never answers', () => {
  it('stops at --timeout and names what was still pending', async () => {
    // Accepts connections and never answers: the fetch hangs until the check gives up on it.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    try {
      const fleet = checkout('silent', {
        'clusters/dev/source.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: silent
  namespace: flux-system
spec:
  interval: 1h
  url: http://127.0.0.1:${port}/repo.git
  ref:
    branch: main
`,
      });
      const run = await runCli(
        [
          'check',
          '--path',
          'clusters/dev',
          '--render-sandbox',
          'auto',
          '--timeout',
          '8s',
          '--output',
          'json',
          '--allow-source-host',
          '127.0.0.1',
        ],
        { cwd: fleet },
      );
      expect(run.code, run.stderr).toBe(1);
      expect(JSON.parse(run.stdout).objects).toEqual([
        row('Kustomization', 'flux-system', 'clusters/dev'),
        row(
          'GitRepository',
          'silent',
          'clusters/dev/source.yaml',
          'error',
          'still pending when the check timed out (--timeout): its render or fetch did not finish',
        ),
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  }, 120_000);
});

describe('sluice check on a fleet whose sources a sibling declares', () => {
  let charts: ChartRepoServer;
  let git: GitHttpServer;
  let served: string;
  beforeAll(async () => {
    charts = await startChartRepoServer();
    await charts.addCharts([{ name: 'hello', version: '1.0.0' }]);
    served = mkdtempSync(join(tmpdir(), 'sluice-check-git-'));
    const platform = await createFixtureRepo(served, 'platform');
    await platform.write({ 'app/cm.yaml': configMapYaml('from-platform') });
    await platform.commit('platform');
    await platform.push();
    git = await startGitHttpServer({ root: served });
  });
  afterAll(async () => {
    await charts?.close();
    await git?.close();
    rmSync(served, { recursive: true, force: true });
  });

  const report = (name: string, files: Record<string, string>) =>
    check(
      checkout(name, { ...siblingFleet(charts.url, git.url('platform')), ...files }),
      '--path',
      'clusters/dev',
      '--output',
      'json',
      '--allow-source-host',
      '127.0.0.1',
    );

  it('delivers what uses them though it renders before they are declared, and exits 0', async () => {
    const run = await report('siblings', {});
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      summary: { delivered: 8, different: 0, unsupported: 0, error: 0 },
      objects: expect.arrayContaining(SIBLING_ROWS),
    });
  }, 120_000);

  it('still names a source no object of the fleet declares, and exits 1', async () => {
    const run = await report('siblings-lost', {
      'apps/lost.yaml': kustomizationYaml('lost', { path: './app', source: 'nowhere' }),
    });
    expect(run.code, run.stdout).toBe(1);
    const { summary, objects } = JSON.parse(run.stdout);
    expect(summary).toEqual({ delivered: 8, different: 0, unsupported: 0, error: 1 });
    expect(objects).toEqual(
      expect.arrayContaining([
        ...SIBLING_ROWS,
        row(
          'Kustomization',
          'lost',
          'apps/lost.yaml',
          'error',
          "spec.sourceRef: GitRepository 'flux-system/nowhere' not found in cluster dev; declare the GitRepository in the fleet",
        ),
      ]),
    );
  }, 120_000);
});

/** Every object of siblingFleet, delivered. */
const SIBLING_ROWS = [
  row('Kustomization', 'flux-system', 'clusters/dev'),
  row('Kustomization', 'apps', 'clusters/dev/apps.yaml'),
  row('Kustomization', 'infrastructure', 'clusters/dev/infrastructure.yaml'),
  row('Kustomization', 'infrastructure-sources', 'infrastructure/entry/sources.yaml'),
  row('HelmRepository', 'charts', 'infrastructure/sources/sources.yaml'),
  row('GitRepository', 'platform', 'infrastructure/sources/sources.yaml'),
  row('HelmRelease', 'hello', 'apps/hello.yaml'),
  row('Kustomization', 'platform-app', 'apps/platform-app.yaml'),
];

/**
 * A fleet whose apps use a HelmRepository and a GitRepository that infrastructure declares two levels down:
 * the apps render before those sources exist, as they often do in a real fleet.
 */
function siblingFleet(chartsUrl: string, platformUrl: string): Record<string, string> {
  const kustomization = (name: string, path: string, source = 'flux-system') =>
    kustomizationYaml(name, { path, source });
  return {
    'clusters/dev/apps.yaml': kustomization('apps', './apps'),
    'clusters/dev/infrastructure.yaml': kustomization('infrastructure', './infrastructure/entry'),
    'infrastructure/entry/sources.yaml': kustomization('infrastructure-sources', './infrastructure/sources'),
    'infrastructure/sources/sources.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: flux-system
spec:
  interval: 1h
  url: ${chartsUrl}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: platform
  namespace: flux-system
spec:
  interval: 1h
  url: ${platformUrl}
  ref:
    branch: main
`,
    'apps/hello.yaml': `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: hello
  namespace: flux-system
spec:
  interval: 1h
  chart:
    spec:
      chart: hello
      version: 1.0.0
      sourceRef:
        kind: HelmRepository
        name: charts
`,
    'apps/platform-app.yaml': kustomization('platform-app', './app', 'platform'),
  };
}

describe('sluice check refuses', () => {
  it('a path outside a Git checkout, saying what to do (exit 1)', async () => {
    const dir = join(root, 'not-git');
    mkdirSync(join(dir, 'clusters/dev'), { recursive: true });
    const run = await runCli(['check', '--path', 'clusters/dev'], { cwd: dir });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('not inside a Git checkout');
  });

  it('a command line without --path or with another output (usage, exit 2)', async () => {
    expect((await runCli(['check'], { cwd: root })).code).toBe(2);
    expect((await runCli(['check', '--path', '.', '--output', 'yaml'], { cwd: root })).code).toBe(2);
  });
});

function migrationFleet(port: number): Record<string, string> {
  return {
    'apps/configmap.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\n  namespace: default\ndata:\n  greeting: hello\n',
    'clusters/prod/notifications.yaml': `apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata:
  name: slack
  namespace: flux-system
spec:
  type: slack
  channel: general
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata:
  name: on-call
  namespace: flux-system
spec:
  providerRef:
    name: slack
  eventSources:
    - kind: Kustomization
      name: '*'
`,
    // An older version with a field v1 dropped, and a path the checkout does not have.
    'clusters/prod/apps.yaml': `${kustomizationYaml('apps', {
      path: './apps',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
      before: '  validation: client\n',
    })}---
${kustomizationYaml('broken', { path: './no-such-directory' })}`,
    // Suspended: neither fetched nor rendered, as in Flux, so its unreachable URL is not tried.
    'clusters/prod/paused.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: paused
  namespace: flux-system
spec:
  interval: 1h
  suspend: true
  url: http://127.0.0.1:${port}/paused.git
  ref:
    branch: main
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: paused
  namespace: flux-system
spec:
  interval: 10m
  suspend: true
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: paused
`,
    // A chart registry out of reach from here.
    'clusters/prod/charts.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: unreachable
  namespace: flux-system
spec:
  interval: 1h
  url: http://127.0.0.1:${port}/charts
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 1h
  chart:
    spec:
      chart: podinfo
      version: 6.x
      sourceRef:
        kind: HelmRepository
        name: unreachable
`,
  };
}
