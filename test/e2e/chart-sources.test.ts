// Chart and OCI sources end to end through the embedded control plane: HelmRepository (HTTP, with auth and
// an ETag), HelmRepository of type oci, OCIRepository (a `flux push artifact` tarball used as a
// Kustomization's source), explicit HelmCharts and the one a HelmRelease's spec.chart implies. Real servers:
// the chart repository and OCI registry stand-ins, the real helm for packaging, git http-backend, fauxqs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileSource } from '../../cli/commands/reconcile.ts';
import { findControlPlane } from '../../cli/control-plane-context.ts';
import { type ChartRepoServer, startChartRepoServer } from '../support/chart-repo-server.ts';
import { storeFluxArtifact } from '../support/flux-artifact.ts';
import { type OciRegistry, startOciRegistry } from '../support/oci-registry.ts';
import { type Harness, startHarness, WEBHOOK_SECRET } from '../support/pipeline-harness.ts';

let h: Harness;
let charts: ChartRepoServer;
let registry: OciRegistry;
let scratch: string;

/** An artifact as `flux push artifact` makes it: one gzipped tarball layer, Flux's media types. */
function pushFluxArtifact(repository: string, tag: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'artifact-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const tgz = join(scratch, `${repository.replace(/\W/g, '-')}-${tag}.tgz`);
  execFileSync('tar', ['-czf', tgz, '-C', dir, '.']);
  return storeFluxArtifact(registry, repository, tag, readFileSync(tgz), {
    'org.opencontainers.image.revision': `${tag}@sha1:0123456789abcdef`,
  });
}

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: default
data:
  value: "${value}"
`;

const plane = () =>
  findControlPlane(
    { api: h.plane.apiUrl },
    { SLUICE_WEBHOOK_SECRET: WEBHOOK_SECRET, XDG_CONFIG_HOME: join(h.dataDir, 'no-config') },
  );

const source = async (kind: string, name: string) =>
  (await h.status()).sources.find(
    (s) => s.kind === kind && s.declarers.some((d) => d.name === name && d.cluster === 'dev'),
  );

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'sluice-chart-e2e-'));
  charts = await startChartRepoServer({ basicAuth: { username: 'reader', password: 'chart-pass-1' } });
  await charts.addCharts([
    { name: 'hello', version: '1.0.0' },
    { name: 'hello', version: '1.1.0' },
    { name: 'hello', version: '2.0.0-rc.1' },
  ]);
  registry = await startOciRegistry({
    auth: { scheme: 'bearer', username: 'puller', password: 'oci-pass-2' },
  });
  const dockerConfig = JSON.stringify({
    auths: { [registry.host]: { auth: Buffer.from('puller:oci-pass-2').toString('base64') } },
  });
  pushFluxArtifact('manifests/app', 'v1.0.0', { 'app/cm.yaml': configMap('from-oci', 'one') });
  const fleetSources = `apiVersion: v1
kind: Secret
metadata:
  name: charts-auth
  namespace: flux-system
stringData:
  username: reader
  password: chart-pass-1
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: flux-system
spec:
  interval: 1h
  url: ${charts.url}
  secretRef:
    name: charts-auth
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: hello
  namespace: flux-system
spec:
  interval: 1h
  chart: hello
  version: ">=1.0.0 <2.0.0"
  sourceRef:
    kind: HelmRepository
    name: charts
---
apiVersion: v1
kind: Secret
metadata:
  name: registry-auth
  namespace: flux-system
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '${dockerConfig}'
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: app
  namespace: flux-system
spec:
  interval: 1h
  url: ${registry.url('manifests/app')}
  insecure: true
  secretRef:
    name: registry-auth
  ref:
    semver: ">=1.0.0"
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: from-oci
  namespace: flux-system
spec:
  interval: 1h
  path: ./app
  prune: true
  sourceRef:
    kind: OCIRepository
    name: app
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: hello
  namespace: default
spec:
  interval: 1h
  chart:
    spec:
      chart: hello
      version: "1.0.x"
      sourceRef:
        kind: HelmRepository
        name: charts
        namespace: flux-system
`;
  h = await startHarness({
    files: { 'clusters/dev/chart-sources.yaml': fleetSources },
    settings: { allowedSourceHosts: [charts.origin, registry.origin] },
  });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
  await charts?.close();
  await registry?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('chart and OCI sources in a fleet', () => {
  it('fetches a HelmRepository index with its Secret, and builds the HelmChart at the newest version in range', async () => {
    const repo = await h.waitFor(
      'the index fetched',
      async () => (await source('HelmRepository', 'charts'))?.revision,
    );
    expect(repo).toMatch(/^sha256:[a-f0-9]{64}$/);
    const chart = await h.waitFor('the chart built', async () => (await source('HelmChart', 'hello'))?.chart);
    expect(chart).toEqual({ name: 'hello', version: '1.1.0' });
    expect((await source('HelmChart', 'hello'))?.digest).toMatch(/^sha256:/);
    // The credentials went with every request to the repository.
    expect(charts.requests.filter((r) => r.path.endsWith('.tgz')).every((r) => r.authorization)).toBe(true);
  });

  it('builds the HelmChart a HelmRelease spec.chart implies, named <namespace>-<name> in the source namespace, and renders the release from it', async () => {
    const implied = await h.waitFor('the implied chart built', async () => {
      const s = (await h.status()).sources.find(
        (x) => x.kind === 'HelmChart' && x.declarers.some((d) => d.name === 'default-hello'),
      );
      return s?.chart;
    });
    expect(implied).toEqual({ name: 'hello', version: '1.0.0' });
    const release = await h.waitFor('the release rendered', async () =>
      (await h.status()).clusters[0]?.kustomizations.find(
        // The example fleet's own release is flux-system/hello.
        (k) => k.kind === 'HelmRelease' && k.namespace === 'default' && k.render?.ready,
      ),
    );
    expect(release).toMatchObject({
      namespace: 'default',
      name: 'hello',
      chart: { name: 'hello', version: '1.0.0' },
    });
  });

  it('applies a Kustomization whose source is an OCIRepository (pulled with a dockerconfigjson Secret), at the revision Flux would name', async () => {
    const oci = await h.waitFor(
      'the artifact pulled',
      async () => (await source('OCIRepository', 'app'))?.revision,
    );
    expect(oci).toMatch(/^v1\.0\.0@sha256:[a-f0-9]{64}$/);
    const cm = await h.waitFor('the ConfigMap applied', () =>
      h.kube.object('v1', 'ConfigMap', 'from-oci', 'default'),
    );
    expect((cm as unknown as { data: { value: string } }).data.value).toBe('one');
  });

  it('moves with a newer tag in the semver range after sluice reconcile source oci', async () => {
    pushFluxArtifact('manifests/app', 'v1.1.0', { 'app/cm.yaml': configMap('from-oci', 'two') });
    const out = await reconcileSource(plane(), 'app', 'OCIRepository');
    expect(out).toContain('OCIRepository/flux-system/app (cluster dev)');
    await h.waitFor('the new tag applied', async () => {
      const cm = (await h.kube.object('v1', 'ConfigMap', 'from-oci', 'default')) as
        | { data: { value: string } }
        | undefined;
      return cm?.data.value === 'two' || undefined;
    });
    expect((await source('OCIRepository', 'app'))?.revision).toMatch(/^v1\.1\.0@sha256:/);
  });

  it('rebuilds the chart when the repository gains a version in range (sluice reconcile source helm)', async () => {
    await charts.addCharts([{ name: 'hello', version: '1.2.0' }]);
    await reconcileSource(plane(), 'flux-system/charts', 'HelmRepository');
    const chart = await h.waitFor('the chart moved', async () => {
      const c = (await source('HelmChart', 'hello'))?.chart;
      return c?.version === '1.2.0' ? c : undefined;
    });
    expect(chart.version).toBe('1.2.0');
  });

  it('an unchanged index costs one conditional request answered 304', async () => {
    charts.clearRequests();
    await reconcileSource(plane(), 'charts', 'HelmRepository');
    await h.waitFor('the index asked for', () => charts.requests.find((r) => r.path.endsWith('index.yaml')));
    const index = charts.requests.filter((r) => r.path.endsWith('index.yaml'));
    expect(index.map((r) => [r.status, r.ifNoneMatch !== undefined])).toEqual([[304, true]]);
    expect(charts.requests.filter((r) => r.path.endsWith('.tgz'))).toEqual([]);
  });

  it('keeps the last good artifact and says why when the registry is unreachable', async () => {
    const before = (await source('OCIRepository', 'app'))?.revision;
    await registry.close();
    await reconcileSource(plane(), 'app', 'OCIRepository');
    const failed = await h.waitFor(
      'the failure recorded',
      async () => (await source('OCIRepository', 'app'))?.error,
    );
    expect(failed.code).toBe('SourceFetchFailed');
    expect(failed.message).toContain('OCIRepository/flux-system/app (cluster dev)');
    expect((await source('OCIRepository', 'app'))?.revision).toBe(before);
    const cm = (await h.kube.object('v1', 'ConfigMap', 'from-oci', 'default')) as unknown as {
      data: { value: string };
    };
    expect(cm.data.value).toBe('two');
    // The Secret's password is in no status.
    const view = JSON.stringify(await h.status());
    expect(view).not.toContain('chart-pass-1');
    expect(view).not.toContain('oci-pass-2');
  });

  it('names the chart, the range and the newest versions seen when nothing matches', async () => {
    await h.push(
      {
        'clusters/dev/missing-chart.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: hello-three
  namespace: flux-system
spec:
  interval: 1h
  chart: hello
  version: "3.x"
  sourceRef:
    kind: HelmRepository
    name: charts
`,
      },
      'a chart range nothing matches',
    );
    await h.webhook();
    const error = await h.waitFor(
      'the error recorded',
      async () => (await source('HelmChart', 'hello-three'))?.error,
    );
    expect(error.code).toBe('ArtifactNotFound');
    expect(error.message).toContain('3.x');
    expect(error.message).toContain('1.2.0');
  });
});
