// Chart and OCI sources through the fetch use-case, as a tenant's fleet would drive them: the cloud's
// address policy refuses loopback sources and says so in status; no Secret value reaches a status, a log
// line or a dead letter; a cluster's HelmChart reaches only its own cluster's sources, Secrets and the
// credentials they give (a chart built with another cluster's credentials is not handed over).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudSourcePolicy } from '../../shared/config/source-address-settings.ts';
import type { SourceAddressPolicy } from '../../shared/core/net/source-address-policy.ts';
import type { FetchJob } from '../../shared/core/pipeline/jobs.ts';
import type { FetchState } from '../../shared/core/pipeline/records.ts';
import type { SourceKind } from '../../shared/core/pipeline/source-kind.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import type { ReceivedMessage } from '../../shared/ports/queue.ts';
import { fetchSource } from '../../shared/usecases/fetch-source.ts';
import type { PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { processMessage } from '../../shared/usecases/process-message.ts';
import { readStatus } from '../../shared/usecases/read-status.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { AllowedStandIns } from '../support/allowed-stand-ins.ts';
import { storeFluxArtifact } from '../support/flux-artifact.ts';
import { createFixtureRepo } from '../support/git-fixture-repo.ts';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http-server.ts';
import type { OciRegistry } from '../support/oci-registry.ts';
import {
  declareSources,
  fetchWorkerDeps,
  fluxObject,
  gitRepository,
  NS,
  secret,
  sourceStateIn,
} from '../support/source-fetching.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';
import { selfSignedCertificate } from '../support/test-certificate.ts';

type Raw = Record<string, unknown>;

let env: StoreAndQueues;
let root: string;
let gitServer: GitHttpServer;
const standIns = new AllowedStandIns();
const { allowed } = standIns;
/** Every log line of the use-cases, as text. */
const logLines: string[] = [];
let local: PipelineDeps;
/** Another fetch worker on the same store (another Lambda): nothing of `local`'s files on its disk. */
let cold: PipelineDeps;
let cloud: PipelineDeps;
let clusterCount = 0;
let cluster: string;

beforeAll(async () => {
  env = await startStoreAndQueues('chartsec', ['a', 'b']);
  root = await mkdtemp(join(tmpdir(), 'sluice-chart-sec-'));
  gitServer = standIns.add(await startGitHttpServer({ root: join(root, 'served') }));
  const line =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logLines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  const log: Logger = { info: line('info'), warn: line('warn'), error: line('error') };
  const depsWith = (policy: SourceAddressPolicy, name: string): PipelineDeps =>
    fetchWorkerDeps({ ...env.deps, log }, join(root, name), policy);
  local = depsWith({ publicOnly: false, allowed, allowSetting: 'test' }, 'local');
  cold = depsWith({ publicOnly: false, allowed, allowSetting: 'test' }, 'cold');
  cloud = depsWith(
    cloudSourcePolicy({
      fleetUrl: 'https://git.example.com/fleet.git',
      restrictSourceAddresses: true,
      allowedSourceHosts: [],
    }),
    'cloud',
  );
}, 60_000);

afterAll(async () => {
  await standIns.close();
  await env?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  cluster = `c${++clusterCount}`;
  await env.drain(env.deps.queues.fetch);
});

const chartServer = (opts?: Parameters<typeof standIns.chartServer>[0]) => standIns.chartServer(opts);
const ociRegistry = (opts?: Parameters<typeof standIns.ociRegistry>[0]) => standIns.ociRegistry(opts);

/** A one-layer Flux artifact stored straight into the registry (no HTTP, so no auth to get past). */
function storeArtifact(registry: OciRegistry, repository: string, tag: string): void {
  storeFluxArtifact(
    registry,
    repository,
    tag,
    Buffer.from('not read: the fetch is refused or the layer is only stored'),
  );
}

const helmRepository = fluxObject('HelmRepository');
const ociRepository = fluxObject('OCIRepository');
const helmChart = fluxObject('HelmChart');

const declare = (deps: PipelineDeps, ...objects: Raw[]): Promise<void> =>
  declareSources(deps, cluster, objects);

/** The fetch worker: every queued fetch through processMessage, one attempt each, failures dead-lettered. */
async function runFetches(deps: PipelineDeps, rounds = 10): Promise<void> {
  const queue = deps.queues.fetch;
  for (let round = 0; round < rounds; round++) {
    const batch = await deps.queue.receive(queue, { maxMessages: 10 });
    if (batch.length === 0) return;
    for (const message of batch) {
      await processMessage(
        {
          queue: deps.queue,
          log: deps.log,
          deadLetterQueue: deps.queues.deadLetter(queue),
          retry: { maxAttempts: 1, baseDelaySeconds: 1, maxDelaySeconds: 1 },
          kind: 'fetch',
        },
        queue,
        message,
        (job) => fetchSource(deps, job as FetchJob),
      );
    }
  }
  if (rounds === 10) throw new Error('fetches kept queuing fetches');
}

const stateIn = (kind: SourceKind, name: string, inCluster = cluster): Promise<FetchState | undefined> =>
  sourceStateIn(env.deps, inCluster, kind, name);

describe('the cloud address policy', () => {
  it('refuses HelmRepository, OCIRepository and oci HelmRepository charts at 127.0.0.1 before any request, and says so in status', async () => {
    const charts = await chartServer();
    await charts.addCharts([{ name: 'hello', version: '1.0.0' }]);
    const registry = await ociRegistry();
    storeArtifact(registry, 'manifests/app', 'v1');
    await declare(
      cloud,
      helmRepository('charts', { url: charts.url }),
      ociRepository('app', { url: registry.url('manifests/app'), insecure: true, ref: { tag: 'v1' } }),
      helmRepository('oci-charts', { type: 'oci', url: `oci://${registry.host}/helm`, insecure: true }),
      helmChart('podinfo', { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'oci-charts' } }),
    );
    await runFetches(cloud);
    for (const [kind, name] of [
      ['HelmRepository', 'charts'],
      ['OCIRepository', 'app'],
      ['HelmChart', 'podinfo'],
    ] as const) {
      const state = await stateIn(kind, name);
      expect(state?.error?.code, `${kind}/${name}`).toBe('SourceAddressRefused');
      expect(state?.error?.message).toContain(`${kind}/${NS}/${name} (cluster ${cluster})`);
      expect(state?.snapshotDigest).toBeUndefined();
    }
    expect(charts.requests).toEqual([]);
    expect(registry.requests).toEqual([]);
    const status = await readStatus(cloud);
    // The oci HelmRepository itself is never fetched (Flux keeps no artifact for it): its charts are refused.
    const shown = status.sources.filter(
      (s) =>
        s.declarers.some((d) => d.cluster === cluster) &&
        !(s.kind === 'HelmRepository' && s.url.startsWith('oci://')),
    );
    expect(shown.map((s) => s.kind).sort()).toEqual(['HelmChart', 'HelmRepository', 'OCIRepository']);
    expect(shown.map((s) => s.error?.code)).toEqual(shown.map(() => 'SourceAddressRefused'));
  });
});

describe('Secret values', () => {
  it('appear in no status, log line or dead letter, whether the fetch succeeds or is refused', async () => {
    const charts = await chartServer({ basicAuth: { username: 'fleet', password: 'right-pass-551' } });
    await charts.addCharts([{ name: 'hello', version: '1.0.0' }]);
    const registry = await ociRegistry({
      auth: { scheme: 'bearer', username: 'ci', password: 'reg-pass-2208' },
    });
    storeArtifact(registry, 'manifests/app', 'v1');
    const secrets = {
      right: { username: 'fleet', password: 'right-pass-551' },
      wrong: { username: 'fleet', password: 'wrong-pass-913' },
      bearer: { bearerToken: 'token-xyz-4471' },
      registry: { username: 'ci', password: 'reg-pass-2208' },
      'registry-wrong': { username: 'ci', password: 'reg-wrong-6610' },
    };
    await declare(
      local,
      ...Object.entries(secrets).map(([name, data]) => secret(name, data)),
      helmRepository('good', { url: charts.url, secretRef: { name: 'right' } }),
      helmRepository('refused', { url: charts.url, secretRef: { name: 'wrong' } }),
      helmRepository('bearer', { url: charts.url, secretRef: { name: 'bearer' } }),
      helmChart('hello', { chart: 'hello', sourceRef: { kind: 'HelmRepository', name: 'good' } }),
      ociRepository('app', {
        url: registry.url('manifests/app'),
        insecure: true,
        ref: { tag: 'v1' },
        secretRef: { name: 'registry' },
      }),
      ociRepository('app-refused', {
        url: registry.url('manifests/app'),
        insecure: true,
        ref: { tag: 'v1' },
        secretRef: { name: 'registry-wrong' },
      }),
      helmChart('from-oci', {
        chart: 'podinfo',
        sourceRef: { kind: 'HelmRepository', name: 'oci-private' },
      }),
      helmRepository('oci-private', {
        type: 'oci',
        url: `oci://${registry.host}/helm`,
        insecure: true,
        secretRef: { name: 'registry-wrong' },
      }),
    );
    const logsBefore = logLines.length;
    await runFetches(local);

    // The fetches really ran: one succeeded with credentials, the others were refused by the servers.
    expect((await stateIn('HelmChart', 'hello'))?.chart).toEqual({ name: 'hello', version: '1.0.0' });
    expect((await stateIn('HelmRepository', 'refused'))?.error?.code).toBe('SourceAuthFailed');
    expect((await stateIn('HelmRepository', 'bearer'))?.error?.code).toBe('SourceAuthFailed');
    expect((await stateIn('OCIRepository', 'app-refused'))?.error?.code).toBe('SourceAuthFailed');
    expect((await stateIn('HelmChart', 'from-oci'))?.error?.code).toBe('SourceAuthFailed');
    const deadLetters: ReceivedMessage[] = await env.drain(local.queues.deadLetter(local.queues.fetch));
    expect(deadLetters.map((m) => m.attributes.code)).toContain('SourceAuthFailed');
    expect(logLines.length).toBeGreaterThan(logsBefore);

    const seen = [
      JSON.stringify(await readStatus(local)),
      ...logLines,
      ...deadLetters.map((m) => JSON.stringify({ body: m.body, attributes: m.attributes })),
    ].join('\n');
    for (const data of Object.values(secrets)) {
      for (const value of Object.values(data).filter((v) => v !== 'fleet' && v !== 'ci')) {
        expect(seen).not.toContain(value);
      }
    }
    expect(seen).not.toContain(Buffer.from('fleet:right-pass-551').toString('base64'));
    expect(seen).not.toContain(Buffer.from('ci:reg-pass-2208').toString('base64'));
  });
});

describe('TLS material', () => {
  it('a certSecretRef key appears in no status, log line or dead letter, used or refused', async () => {
    const server = selfSignedCertificate(['localhost']);
    const client = selfSignedCertificate(['sluice-client']);
    const charts = await chartServer({ tls: { ...server, clientCaPem: client.certPem } });
    await charts.addCharts([{ name: 'hello', version: '1.0.0' }]);
    const brokenKey = '-----BEGIN PRIVATE KEY-----\nKEY-MARKER-5521\n-----END PRIVATE KEY-----\n';
    await declare(
      local,
      secret('client-tls', { 'ca.crt': server.certPem, 'tls.crt': client.certPem, 'tls.key': client.keyPem }),
      secret('broken-tls', { 'ca.crt': server.certPem, 'tls.crt': client.certPem, 'tls.key': brokenKey }),
      helmRepository('mtls', { url: charts.url, certSecretRef: { name: 'client-tls' } }),
      helmRepository('mtls-broken', { url: charts.url, certSecretRef: { name: 'broken-tls' } }),
    );
    const logsBefore = logLines.length;
    await runFetches(local);
    expect((await stateIn('HelmRepository', 'mtls'))?.revision).toMatch(/^sha256:/);
    const broken = await stateIn('HelmRepository', 'mtls-broken');
    expect(broken?.error).toBeDefined();
    const deadLetters = await env.drain(local.queues.deadLetter(local.queues.fetch));
    const seen = [
      JSON.stringify(await readStatus(local)),
      ...logLines.slice(logsBefore),
      ...deadLetters.map((m) => JSON.stringify({ body: m.body, attributes: m.attributes })),
    ].join('\n');
    expect(seen).not.toContain('KEY-MARKER-5521');
    const keyBody = client.keyPem.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const line of keyBody) expect(seen).not.toContain(line);
  });
});

describe('clusters', () => {
  it('a HelmChart finds HelmRepositories and Secrets declared in its own cluster only', async () => {
    const charts = await chartServer({ basicAuth: { username: 'fleet', password: 'a-only-pass-31' } });
    await charts.addCharts([{ name: 'hello', version: '1.0.0' }]);
    await declare(
      local,
      secret('auth', { username: 'fleet', password: 'a-only-pass-31' }),
      helmRepository('only-a', { url: charts.url, secretRef: { name: 'auth' } }),
    );
    await runFetches(local);
    expect((await stateIn('HelmRepository', 'only-a'))?.revision).toMatch(/^sha256:/);
    const clusterA = cluster;

    cluster = `c${++clusterCount}`;
    const requestsBefore = charts.requests.length;
    await declare(
      local,
      helmChart('hello', { chart: 'hello', sourceRef: { kind: 'HelmRepository', name: 'only-a' } }),
      // The same repository, naming a Secret only cluster A declares.
      helmRepository('borrowing', { url: charts.url, secretRef: { name: 'auth' } }),
      helmChart('via-borrowing', {
        chart: 'hello',
        sourceRef: { kind: 'HelmRepository', name: 'borrowing' },
      }),
    );
    await runFetches(local);
    const chart = await stateIn('HelmChart', 'hello');
    expect(chart?.error?.code).toBe('ReferenceNotFound');
    expect(chart?.error?.message).toContain(`not found in cluster ${cluster}`);
    const borrowing = await stateIn('HelmRepository', 'borrowing');
    expect(borrowing?.error?.code).toBe('ReferenceNotFound');
    expect(borrowing?.error?.message).toContain('spec.secretRef');
    expect((await stateIn('HelmChart', 'via-borrowing'))?.snapshotDigest).toBeUndefined();
    // Nothing of cluster B's reached the repository, with or without A's credentials.
    expect(charts.requests.length).toBe(requestsBefore);
    expect((await stateIn('HelmRepository', 'only-a', clusterA))?.error).toBeUndefined();
  });

  it('a chart whose dependency cluster A built with its credentials is not handed to cluster B, which has none', async () => {
    const privateCharts = await chartServer({ basicAuth: { username: 'fleet', password: 'dep-pass-88' } });
    await privateCharts.addCharts([{ name: 'lib', version: '1.0.0' }]);
    const source = await createFixtureRepo(join(root, 'served'), 'shared-chart');
    await source.write({
      'app/Chart.yaml': `apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: lib\n  version: "1.x"\n  repository: ${privateCharts.url}\n`,
      'app/values.yaml': 'lib: {}\n',
    });
    await source.commit('a chart with a private dependency');
    await source.push();
    const chart = helmChart('app', { chart: 'app', sourceRef: { kind: 'GitRepository', name: 'src' } });
    await declare(
      local,
      secret('private-auth', { username: 'fleet', password: 'dep-pass-88' }),
      helmRepository('private', { url: privateCharts.url, secretRef: { name: 'private-auth' } }),
      gitRepository('src', gitServer.url('shared-chart')),
      chart,
    );
    await runFetches(local);
    expect((await stateIn('HelmChart', 'app'))?.chart).toEqual({ name: 'app', version: '1.0.0' });

    // Cluster B: the same Git source (one fetch, shared) and the same HelmChart, but no credentials for the
    // private repository. Flux would fail its dependency download; so must Sluice, even with A's build at hand.
    cluster = `c${++clusterCount}`;
    privateCharts.clearRequests();
    await declare(local, gitRepository('src', gitServer.url('shared-chart')), chart);
    await runFetches(local);
    const inB = await stateIn('HelmChart', 'app');
    expect(inB?.snapshotDigest).toBeUndefined();
    expect(inB?.error?.code).toBe('SourceAuthFailed');
    expect(privateCharts.requests.every((r) => !r.authorization)).toBe(true);
  });

  it('a HelmChart’s dependencies use credentials of HelmRepositories in its own namespace only, as Flux', async () => {
    const privateCharts = await chartServer({ basicAuth: { username: 'fleet', password: 'ns-pass-42' } });
    await privateCharts.addCharts([{ name: 'lib', version: '1.0.0' }]);
    const source = await createFixtureRepo(join(root, 'served'), 'team-chart');
    await source.write({
      'app/Chart.yaml': `apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: lib\n  version: "1.x"\n  repository: ${privateCharts.url}\n`,
      'app/values.yaml': 'lib: {}\n',
    });
    await source.commit('a tenant chart with a dependency on the platform repository');
    await source.push();
    // The platform's repository and Secret live in flux-system; the tenant's chart in namespace team.
    await declare(
      local,
      secret('platform-auth', { username: 'fleet', password: 'ns-pass-42' }),
      helmRepository('platform', { url: privateCharts.url, secretRef: { name: 'platform-auth' } }),
      gitRepository('src', gitServer.url('team-chart'), 'team'),
      helmChart('app', { chart: 'app', sourceRef: { kind: 'GitRepository', name: 'src' } }, 'team'),
    );
    await runFetches(local);
    const record = await stateOf(env.deps).getClusterSource(
      cluster,
      { namespace: 'team', name: 'app' },
      'HelmChart',
    );
    const chart = await stateOf(env.deps).getFetchState(record?.sourceKey ?? '');
    expect(chart?.snapshotDigest).toBeUndefined();
    expect(chart?.error?.code).toBe('SourceAuthFailed');
    expect(privateCharts.requests.filter((r) => r.path.endsWith('.tgz')).every((r) => !r.authorization)).toBe(
      true,
    );
  });
});

describe('stored indexes', () => {
  it('a HelmChart built on another worker reads the index from the store only when it matches its digest', async () => {
    const charts = await chartServer();
    await charts.addCharts([{ name: 'tamper', version: '1.0.0' }]);
    await declare(
      local,
      helmRepository('plain', { url: charts.url }),
      helmChart('tamper', {
        chart: 'tamper',
        version: '*',
        sourceRef: { kind: 'HelmRepository', name: 'plain' },
      }),
    );
    await runFetches(local);
    const good = await stateIn('HelmChart', 'tamper');
    expect(good?.chart?.version).toBe('1.0.0');

    // A new index is fetched and stored; then someone with write access to the store swaps its bundle for
    // one listing another chart archive.
    await charts.addCharts([{ name: 'tamper', version: '1.1.0' }]);
    const repoKey = (
      await stateOf(env.deps).getClusterSource(cluster, { namespace: NS, name: 'plain' }, 'HelmRepository')
    )?.sourceKey as string;
    await fetchSource(local, { kind: 'fetch', sourceKey: repoKey, reason: 'webhook' });
    const index = (await stateOf(env.deps).getFetchState(repoKey)) as FetchState;
    const location = stateOf(env.deps).snapshotLocation(index.bundleDigest as string);
    const original = (await env.deps.store.get(location)) as Buffer;
    const forged = await local.snapshots.pack(
      join(root, 'local', 'snapshots', good?.snapshotDigest?.slice(7) ?? ''),
    );
    await env.deps.store.put(location, forged, 'application/gzip');

    // The worker that builds the chart has no local copy: it must not unpack what the store returns.
    await runFetches(cold, 1);
    const refused = await stateIn('HelmChart', 'tamper');
    expect(refused?.error?.code).toBe('SnapshotCorrupt');
    expect(refused?.chart).toEqual(good?.chart);
    expect(refused?.bundleDigest).toBe(good?.bundleDigest);
    expect(original.equals(forged)).toBe(false);

    // The repair the chart asked for stores the index again, and the chart is built from it.
    await runFetches(cold);
    expect((await env.deps.store.get(location))?.equals(original)).toBe(true);
    const rebuilt = await stateIn('HelmChart', 'tamper');
    expect(rebuilt?.error).toBeUndefined();
    expect(rebuilt?.chart?.version).toBe('1.1.0');
  });
});
