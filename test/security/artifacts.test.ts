// The artifact trust chain has no gaps, and status cannot be forged. A store writer (anyone who can put
// objects under a cluster's prefix) can only point the index at records the control plane signed: the
// puller refuses another cluster's or another target's artifact, any record but the last applied one that
// is not newer by its publish sequence, and an unsigned removal, reports why, and keeps the last good state. Reports count for the cluster whose channel they
// arrived on, never the one they name. Kubernetes calls and a target's apply are bounded in time.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../embedded/control-plane.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import {
  ARTIFACT_API,
  type ArtifactPayload,
  artifactKey,
  type Signed,
  type SignedPayload,
  type TombstonePayload,
  targetOf,
} from '../../shared/core/artifact/artifact.ts';
import type { Generation } from '../../shared/core/artifact/generation.ts';
import { signArtifact, verifySigned } from '../../shared/core/artifact/sign-artifact.ts';
import { isSluiceError } from '../../shared/core/errors.ts';
import { type ApplyReport, decodeJob, encodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { type ObjectKey, stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { getJson, putJson } from '../../shared/ports/object-store.ts';
import { defaultQueueNames, type PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { PullerState, reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { renderJob } from '../../shared/usecases/render-job.ts';
import { type PolicyArns, pullerPolicy } from '../../stacks/policies.ts';
import { createFixtureRepo, type FixtureRepo } from '../support/git-fixture-repo.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import {
  EXAMPLE_FLEET,
  type Harness,
  kustomizationStatus,
  startHarness,
} from '../support/pipeline-harness.ts';
import { type PullerWorld, pullerDeps, startPullerWorld } from '../support/puller-world.ts';

const BUCKET = 'sluice-artifacts-security';
const queues = defaultQueueNames('artifacts-sec');
const APPS: ObjectKey = { namespace: 'flux-system', name: 'apps' };
const INFRA: ObjectKey = { namespace: 'flux-system', name: 'infra' };
const INTERVAL_MS = 600_000;

let world: PullerWorld;
let store: PullerWorld['store'];
let queue: PullerWorld['queue'];
let keys: PullerWorld['keys'];
let publicKeyPem: string;

beforeAll(async () => {
  world = await startPullerWorld({ name: 'artifacts-sec', bucket: BUCKET, queues, clusters: [] });
  ({ store, queue, keys, publicKeyPem } = world);
});

afterAll(() => world?.close());

let seq = 0;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };

/** A puller for a fresh cluster (its own index prefix, nudge and reports queues) and a fresh API server. */
beforeEach(async () => {
  kube = await startKubeApiServer({ namespaces: ['apps'] });
  clock = { t: Date.parse('2026-06-01T12:00:00Z') };
  const cluster = `sec${++seq}-${process.pid}`;
  await ensureInfrastructure(world.clients, queues, [cluster], BUCKET);
  deps = pullerDeps(world, {
    cluster,
    kube: clientFor(kube.kubeconfig()),
    clock,
    queues: { cluster: queues.cluster(cluster), reports: queues.reports(cluster) },
  });
  await ensureInventoryNamespace(deps);
});

afterEach(() => kube.close());

// ---- fixtures ----------------------------------------------------------------------------------------

function clientFor(kubeconfig: string, requestTimeoutMs?: number): ClientNodeCluster {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return new ClientNodeCluster(kc, requestTimeoutMs ? { requestTimeoutMs } : {});
}

const configMap = (name: string, owner: ObjectKey = APPS, value = name): KubeObject => {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'apps' },
    data: { value },
  };
  setOwnerLabels(obj, owner);
  return obj;
};

let source = 0;
/** Publish order as the control plane keeps it: every fixture record is newer than the ones before. */
let published = 0;
const nextGeneration = (): Generation => ({
  fleet: 1,
  source: ++source,
  fleetKey: 'fleet',
  sourceKey: 'fleet',
});

function artifactPayload(
  ks: ObjectKey,
  objects: KubeObject[],
  opts: { cluster?: string; generation?: Generation; sequence?: number; timeoutMs?: number } = {},
): ArtifactPayload {
  const generation = opts.generation ?? nextGeneration();
  return {
    apiVersion: ARTIFACT_API,
    kind: 'Artifact',
    cluster: opts.cluster ?? deps.cluster,
    kustomization: ks,
    target: targetOf(ks),
    generation,
    sequence: opts.sequence ?? ++published,
    source: {
      url: 'https://git.example.com/fleet.git',
      revision: `main@sha1:${String(generation.source).padStart(40, '0')}`,
    },
    renderKey: `sha256:render-${generation.source}`,
    apply: {
      prune: true,
      wait: false,
      force: false,
      timeoutMs: opts.timeoutMs ?? 60_000,
      intervalMs: INTERVAL_MS,
      dependsOn: [],
    },
    objects,
  };
}

function tombstonePayload(
  ks: ObjectKey,
  generation = nextGeneration(),
  sequence = ++published,
): TombstonePayload {
  return {
    apiVersion: ARTIFACT_API,
    kind: 'Tombstone',
    cluster: deps.cluster,
    kustomization: ks,
    target: targetOf(ks),
    generation,
    sequence,
    deleted: true,
    revision: 'main@sha1:removed',
  };
}

/** Signs a record as the control plane does and stores it in this cluster's prefix (copied, if foreign). */
async function signAndStore(payload: SignedPayload): Promise<Signed> {
  const signed = await signArtifact(payload, keys);
  await putJson(store, artifactKey(deps.cluster, signed.digest), signed);
  return signed;
}

/** Points this cluster's index entry for `ks` at a stored record: what any store writer can do. */
async function point(ks: ObjectKey, signed: Signed): Promise<void> {
  const entry: IndexEntry = {
    target: targetOf(ks),
    generation: signed.payload.generation,
    sequence: signed.payload.sequence,
    revision: 'main@sha1:whatever',
    renderKey: '',
    publishedAt: new Date(clock.t).toISOString(),
    digest: signed.digest,
    artifactKey: artifactKey(deps.cluster, signed.digest),
    ...(signed.payload.kind === 'Tombstone' && { deleted: true }),
  };
  await putJson(store, stateKeys.index(deps.cluster, targetOf(ks)), entry);
}

async function publish(ks: ObjectKey, payload: SignedPayload): Promise<Signed> {
  const signed = await signAndStore(payload);
  await point(ks, signed);
  return signed;
}

/** What the render job needs to publish a removal (it renders nothing then). */
const renderDeps = () =>
  ({
    store,
    queue,
    keys,
    clock: { now: () => clock.t },
    log: silentLogger,
    queues,
    settings: { clusters: [deps.cluster] },
  }) as unknown as PipelineDeps;

function reportFor(reports: ApplyReport[], ks: ObjectKey): ApplyReport {
  const found = reports.find((r) => r.target.namespace === ks.namespace && r.target.name === ks.name);
  if (!found) throw new Error(`no report for ${ks.name}: ${JSON.stringify(reports)}`);
  return found;
}

/** Reports this cluster's puller sent on its own channel. */
async function channelReports(): Promise<ApplyReport[]> {
  const out: ApplyReport[] = [];
  for (;;) {
    const messages = await queue.receive(deps.queues.reports, { maxMessages: 10 });
    if (messages.length === 0) return out;
    for (const m of messages) {
      await queue.ack(deps.queues.reports, m.receiptHandle);
      const job = decodeJob(m.body);
      if (job.kind === 'apply-report') out.push(job);
    }
  }
}

const liveValue = (name: string) =>
  (kube.object('v1', 'ConfigMap', name, 'apps')?.data as Record<string, string> | undefined)?.value;

function inventory(ks: ObjectKey): { digest: string; entries: { id: string }[] } | undefined {
  const cm = kube
    .objects({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'sluice-system' })
    .find((o) => o.metadata.annotations?.['sluice.dev/kustomization'] === `${ks.namespace}/${ks.name}`);
  const raw = (cm?.data as Record<string, string> | undefined)?.inventory;
  return raw ? JSON.parse(raw) : undefined;
}

/** A good state: `good` applied for APPS from a signed, bound artifact. */
async function applyGoodState(): Promise<Signed> {
  const good = await publish(APPS, artifactPayload(APPS, [configMap('good')]));
  expect(reportFor(await reconcileCluster(deps), APPS)).toMatchObject({ ready: true });
  await channelReports();
  return good;
}

async function expectRefusedKeepingGoodState(why: RegExp, good: Signed): Promise<void> {
  const report = reportFor(await reconcileCluster(deps), APPS);
  expect(report).toMatchObject({ ready: false, reason: 'ArtifactRejected', applied: 0, pruned: 0 });
  expect(report.message).toMatch(why);
  // The last good state stays applied, and its record is untouched.
  expect(liveValue('good')).toBe('good');
  expect(inventory(APPS)?.digest).toBe(good.digest);
  // ...and the refusal was reported on the cluster's channel.
  expect((await channelReports()).map((r) => r.reason)).toContain('ArtifactRejected');
}

// ---- the puller --------------------------------------------------------------------------------------

describe('the puller applies only records signed for this cluster, this target and no older generation', () => {
  it("refuses another cluster's validly signed artifact copied into this cluster's prefix", async () => {
    const good = await applyGoodState();
    await publish(
      APPS,
      artifactPayload(APPS, [configMap('good', APPS, 'evil'), configMap('evil')], { cluster: 'other' }),
    );
    await expectRefusedKeepingGoodState(/cluster 'other'/, good);
    expect(liveValue('evil')).toBeUndefined();
  });

  it("refuses another target's artifact placed under this target's index entry (a swap)", async () => {
    const good = await applyGoodState();
    const infra = await signAndStore(artifactPayload(INFRA, [configMap('infra-only', INFRA)]));
    await point(APPS, infra);
    await expectRefusedKeepingGoodState(/flux-system\/infra/, good);
    expect(liveValue('infra-only')).toBeUndefined();
  });

  it('takes the target from where the index entry lives, not from what the entry claims', async () => {
    const good = await applyGoodState();
    const infra = await signAndStore(artifactPayload(INFRA, [configMap('infra-only', INFRA)]));
    await putJson(store, stateKeys.index(deps.cluster, targetOf(APPS)), {
      target: targetOf(INFRA),
      generation: infra.payload.generation,
      revision: 'x',
      renderKey: '',
      publishedAt: '',
      digest: infra.digest,
      artifactKey: artifactKey(deps.cluster, infra.digest),
    } satisfies IndexEntry);
    await expectRefusedKeepingGoodState(/flux-system\/infra/, good);
  });

  it('refuses a rollback to an older, validly signed artifact, also after a puller restart', async () => {
    const old = await publish(APPS, artifactPayload(APPS, [configMap('good', APPS, 'v1')]));
    await reconcileCluster(deps);
    const good = await publish(APPS, artifactPayload(APPS, [configMap('good')]));
    expect(reportFor(await reconcileCluster(deps), APPS).ready).toBe(true);
    await channelReports();

    await point(APPS, old);
    // A restarted puller: no memory but what it recorded in the cluster.
    deps = { ...deps, kube: clientFor(kube.kubeconfig()) };
    const report = reportFor(await reconcileCluster(deps, new PullerState()), APPS);
    expect(report).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
    expect(report.message).toMatch(/older than the last applied/);
    expect(liveValue('good')).toBe('good');
    expect(inventory(APPS)?.digest).toBe(good.digest);
  });

  it('refuses an artifact without a publish sequence (signed by the previous version), saying to re-render', async () => {
    const good = await applyGoodState();
    const { sequence: _, ...unsequenced } = artifactPayload(APPS, [configMap('good', APPS, 'evil')]);
    await publish(APPS, unsequenced as ArtifactPayload);
    await expectRefusedKeepingGoodState(/no publish sequence.*re-render/, good);
  });

  it('applies a newer artifact after refusing an older one', async () => {
    const old = await publish(APPS, artifactPayload(APPS, [configMap('good', APPS, 'v1')]));
    await reconcileCluster(deps);
    await publish(APPS, artifactPayload(APPS, [configMap('good', APPS, 'v2')]));
    await reconcileCluster(deps);
    await point(APPS, old);
    expect(reportFor(await reconcileCluster(deps), APPS).reason).toBe('ArtifactRejected');
    await publish(APPS, artifactPayload(APPS, [configMap('good', APPS, 'v3')]));
    expect(reportFor(await reconcileCluster(deps), APPS).reason).toBe('ReconciliationSucceeded');
    expect(liveValue('good')).toBe('v3');
  });
});

describe('removal is signed too', () => {
  it('an unsigned tombstone in the index prunes nothing and is reported', async () => {
    const good = await applyGoodState();
    // What a store writer can write without the signing key.
    await putJson(store, stateKeys.index(deps.cluster, targetOf(APPS)), {
      target: targetOf(APPS),
      generation: { fleet: 99, source: 99 },
      revision: 'main@sha1:removed',
      renderKey: '',
      publishedAt: new Date(clock.t).toISOString(),
      deleted: true,
    } satisfies IndexEntry);
    await expectRefusedKeepingGoodState(/without a signed tombstone/, good);
    expect(inventory(APPS)?.entries.map((e) => e.id)).toEqual(['apps_good__ConfigMap']);
  });

  it('a signed tombstone published before the last applied artifact is refused', async () => {
    const stale = tombstonePayload(APPS, nextGeneration());
    const good = await applyGoodState();
    await publish(APPS, stale);
    await expectRefusedKeepingGoodState(/older than the last applied/, good);
  });

  it('a signed tombstone of another target or another cluster is refused', async () => {
    const good = await applyGoodState();
    await point(APPS, await signAndStore(tombstonePayload(INFRA)));
    await expectRefusedKeepingGoodState(/flux-system\/infra/, good);
    await point(APPS, await signAndStore({ ...tombstonePayload(APPS), cluster: 'other' }));
    await expectRefusedKeepingGoodState(/cluster 'other'/, good);
  });

  it('the tombstone the control plane signs prunes, and the removed artifact cannot be replayed', async () => {
    const good = await applyGoodState();
    const render = renderDeps();
    // The fleet moved on and the Kustomization's record is gone (withdrawn by its parent): the render
    // job publishes the removal.
    await putJson(store, stateKeys.fetchState('fleet'), { sourceKey: 'fleet', generation: 2 });
    expect(
      await renderJob(render, { kind: 'render', cluster: deps.cluster, target: targetOf(APPS) }, 'fleet'),
    ).toEqual({
      outcome: 'withdrawn',
    });
    const entry = await getJson<IndexEntry>(store, stateKeys.index(deps.cluster, targetOf(APPS)));
    expect(entry).toMatchObject({ deleted: true, digest: expect.stringMatching(/^sha256:/) });
    const signed = await getJson<Signed>(store, entry?.artifactKey ?? '');
    expect(verifySigned(signed as Signed, publicKeyPem, entry?.digest)).toMatchObject({
      kind: 'Tombstone',
      cluster: deps.cluster,
      target: { kind: 'Kustomization', ...APPS },
      deleted: true,
    });

    expect(reportFor(await reconcileCluster(deps), APPS)).toMatchObject({
      ready: true,
      reason: 'Pruned',
      pruned: 1,
    });
    expect(liveValue('good')).toBeUndefined();

    // Replaying the last artifact (older than the removal) brings nothing back, after a restart too.
    await point(APPS, good);
    deps = { ...deps, kube: clientFor(kube.kubeconfig()) };
    const report = reportFor(await reconcileCluster(deps, new PullerState()), APPS);
    expect(report).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
    expect(liveValue('good')).toBeUndefined();
  });
});

describe('records from before publish sequences', () => {
  it('a signed tombstone without a sequence is signed again with one, and then prunes', async () => {
    await applyGoodState();
    const { sequence: _, ...legacy } = tombstonePayload(APPS);
    await publish(APPS, legacy as TombstonePayload);
    expect(reportFor(await reconcileCluster(deps), APPS).reason).toBe('ArtifactRejected');
    expect(liveValue('good')).toBe('good');

    const job = { kind: 'render', cluster: deps.cluster, target: targetOf(APPS) } as const;
    expect(await renderJob(renderDeps(), job, 'fleet')).toEqual({ outcome: 'withdrawn' });
    expect(reportFor(await reconcileCluster(deps), APPS)).toMatchObject({ reason: 'Pruned', pruned: 1 });
    expect(liveValue('good')).toBeUndefined();
    // Once it carries a sequence, the next render leaves it alone.
    expect(await renderJob(renderDeps(), job, 'fleet')).toEqual({ outcome: 'unchanged' });
  });
});

// ---- publish order -------------------------------------------------------------------------------------

// Black-box through the embedded control plane and its puller: a tenant repository (its own GitRepository
// beside the fleet) declares a Kustomization and a ConfigMap that a fleet Kustomization substitutes from.
// Both changes below leave the fleet generation where it was, so generations alone cannot order the records.
describe('every record the control plane publishes for a target is strictly newer than the last', () => {
  const yaml = (lines: string[]) => `${lines.join('\n')}\n`;
  const TENANT_APP: ObjectKey = { namespace: 'flux-system', name: 'tenant-app' };
  const SUBST: ObjectKey = { namespace: 'flux-system', name: 'subst' };
  const tenantVars = (color: string) =>
    yaml([
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: tenant-vars',
      '  namespace: flux-system',
      'data:',
      `  color: ${color}`,
    ]);
  const kustomization = (name: string, source: string, path: string, extra: string[] = []) =>
    yaml([
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      `  name: ${name}`,
      '  namespace: flux-system',
      'spec:',
      '  interval: 10m',
      '  prune: true',
      `  path: ${path}`,
      '  sourceRef:',
      '    kind: GitRepository',
      `    name: ${source}`,
      ...extra,
    ]);
  const resources = (...files: string[]) =>
    yaml([
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      ...files.map((f) => `  - ${f}`),
    ]);
  const plainConfigMap = (name: string, value: string) =>
    yaml([
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      `  name: ${name}`,
      '  namespace: default',
      'data:',
      `  value: "${value}"`,
    ]);

  let h: Harness;
  let tenant: FixtureRepo;

  beforeAll(async () => {
    h = await startHarness();
    tenant = await createFixtureRepo(join(h.root, 'served'), 'tenant');
    await tenant.write({
      'kustomization.yaml': resources('vars.yaml', 'app.yaml'),
      'vars.yaml': tenantVars('blue'),
      'app.yaml': kustomization('tenant-app', 'tenant', './app'),
      'app/kustomization.yaml': resources('cm.yaml'),
      'app/cm.yaml': plainConfigMap('tenant-app-cm', 'tenant'),
    });
    await tenant.commit('tenant');
    await tenant.push();
    await h.push(
      {
        'clusters/dev/tenant.yaml': `${yaml([
          'apiVersion: source.toolkit.fluxcd.io/v1',
          'kind: GitRepository',
          'metadata:',
          '  name: tenant',
          '  namespace: flux-system',
          'spec:',
          '  interval: 1h',
          `  url: ${h.git.url('tenant')}`,
          '  ref:',
          '    branch: main',
        ])}---\n${kustomization('tenant', 'tenant', './')}`,
        'clusters/dev/subst.yaml': kustomization('subst', 'flux-system', './subst', [
          '  postBuild:',
          '    substituteFrom:',
          '      - kind: ConfigMap',
          '        name: tenant-vars',
        ]),
        'subst/kustomization.yaml': resources('cm.yaml'),
        'subst/cm.yaml': plainConfigMap('subst-out', '${color}'),
      },
      'a tenant and a Kustomization substituting from it',
    );
    await h.start();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  const live = (name: string) =>
    (h.kube.object('v1', 'ConfigMap', name, 'default')?.data as Record<string, string> | undefined)?.value;
  const indexOf = (ks: ObjectKey) =>
    getJson<IndexEntry>(h.plane.deps.store, stateKeys.index('dev', targetOf(ks)));
  const applyOf = async (ks: ObjectKey) => kustomizationStatus(await h.status(), ks.name)?.apply;
  const pushTenant = async (files: Record<string, string | null>, message: string) => {
    await tenant.write(files);
    await tenant.commit(message);
    await tenant.push();
    const res = await h.webhook({ repository: { clone_url: h.git.url('tenant') }, delivery: message });
    expect(res.status).toBeLessThan(300);
  };
  /** What a store writer does: puts an earlier index entry back, and wakes the puller up. */
  async function pointBack(ks: ObjectKey, earlier: IndexEntry): Promise<ApplyReport> {
    await putJson(h.plane.deps.store, stateKeys.index('dev', targetOf(ks)), earlier);
    await h.plane.deps.queue.send(h.plane.deps.queues.cluster('dev'), {
      body: encodeJob({ kind: 'nudge', target: targetOf(ks), digest: earlier.digest ?? '' }),
    });
    return h.waitFor('the puller to act on the earlier entry', async () => {
      const apply = await applyOf(ks);
      return apply?.digest === earlier.digest ? apply : undefined;
    });
  }

  it('refuses the earlier of two artifacts at the same generation (a substituteFrom source changed)', async () => {
    await h.waitFor('subst applied', () => (live('subst-out') === 'blue' ? true : undefined));
    const blue = (await indexOf(SUBST)) as IndexEntry;

    await pushTenant({ 'vars.yaml': tenantVars('green') }, 'tenant: green');
    await h.waitFor('subst re-applied', () => (live('subst-out') === 'green' ? true : undefined));
    const green = (await indexOf(SUBST)) as IndexEntry;
    // The case at hand: different content, and inputs of the same generation.
    expect(green.digest).not.toBe(blue.digest);
    expect(green.generation).toEqual(blue.generation);

    const report = await pointBack(SUBST, blue);
    expect(report).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
    expect(live('subst-out')).toBe('green');
  }, 60_000);

  it('after a removal caused by a tenant commit, the removed artifact put back re-creates nothing', async () => {
    await h.waitFor('tenant-app applied', () => (live('tenant-app-cm') === 'tenant' ? true : undefined));
    const before = (await indexOf(TENANT_APP)) as IndexEntry;

    await pushTenant(
      { 'kustomization.yaml': resources('vars.yaml'), 'app.yaml': null },
      'tenant: remove tenant-app',
    );
    await h.waitFor('tenant-app pruned', () => (live('tenant-app-cm') === undefined ? true : undefined));
    const tombstone = (await indexOf(TENANT_APP)) as IndexEntry;
    expect(tombstone.deleted).toBe(true);
    // The fleet did not move: the removal carries the generation of the artifact it removes.
    expect(tombstone.generation).toEqual(before.generation);

    const report = await pointBack(TENANT_APP, before);
    expect(report).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
    expect(live('tenant-app-cm')).toBeUndefined();
  }, 60_000);
});

// ---- bounded work --------------------------------------------------------------------------------------

/** An HTTP proxy in front of the test API server that never answers PATCHes whose path matches `hold`. */
async function holdingProxy(target: string, hold: RegExp) {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'PATCH' && hold.test(req.url ?? '')) {
      held.push(res);
      req.resume();
      return;
    }
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    held,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('Kubernetes calls and a target apply are bounded in time', () => {
  it('a request the API server never answers fails after the per-call timeout, retryable', async () => {
    const proxy = await holdingProxy(kube.url, /configmaps\/stuck/);
    try {
      const cluster = clientFor(kube.kubeconfig().replace(kube.url, proxy.url), 300);
      const err = await cluster.apply(configMap('stuck'), { fieldManager: 'sluice', force: true }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSluiceError(err) && { code: err.code, retryable: err.retryable }).toEqual({
        code: 'ApplyFailed',
        retryable: true,
      });
      expect((err as Error).message).toMatch(/ConfigMap\/apps\/stuck: apply timed out/);
    } finally {
      await proxy.close();
    }
  });

  it("spec.timeout bounds one target's apply; the puller reports the timeout and goes on to the next target", async () => {
    const proxy = await holdingProxy(kube.url, /configmaps\/slow/);
    try {
      deps = { ...deps, kube: clientFor(kube.kubeconfig().replace(kube.url, proxy.url)) };
      await publish(APPS, artifactPayload(APPS, [configMap('slow')], { timeoutMs: 400 }));
      await publish(INFRA, artifactPayload(INFRA, [configMap('fast', INFRA)]));
      const reports = await reconcileCluster(deps);
      const slow = reportFor(reports, APPS);
      expect(slow).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
      expect(slow.message).toMatch(/timeout/);
      expect(reportFor(reports, INFRA)).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
      expect(liveValue('fast')).toBe('fast');
      expect(proxy.held.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  }, 20_000);
});

// ---- reports -------------------------------------------------------------------------------------------

describe('a report counts for the cluster of the channel it arrived on', () => {
  let plane: ControlPlane;
  let planeDir: string;

  beforeAll(async () => {
    planeDir = mkdtempSync(join(tmpdir(), 'sluice-artifacts-plane-'));
    plane = await startControlPlane({
      dataDir: planeDir,
      // These tests are about the pipeline, not the sandbox: bubblewrap when installed, else a plain process.
      renderSandbox: 'auto',
      clusters: ['dev', 'prod'],
      exampleFleetDir: EXAMPLE_FLEET,
      kube: 'none',
      scheduleEveryMs: 3_600_000,
      log: silentLogger,
    } as Parameters<typeof startControlPlane>[0]);
  });

  afterAll(async () => {
    await plane?.close();
    rmSync(planeDir, { recursive: true, force: true });
  });

  const report = (
    cluster: string,
    ks: ObjectKey,
    at: number,
    reason = 'ReconciliationSucceeded',
  ): ApplyReport => ({
    kind: 'apply-report',
    cluster,
    target: targetOf(ks),
    digest: 'sha256:x',
    revision: 'main@sha1:x',
    ready: true,
    reason,
    message: 'applied',
    applied: 1,
    pruned: 0,
    at: new Date(at).toISOString(),
  });
  const status = (cluster: string, ks: ObjectKey) =>
    getJson<ApplyReport>(plane.deps.store, stateKeys.applyStatus(cluster, targetOf(ks)));
  const send = (channel: string, r: ApplyReport) =>
    plane.deps.queue.send(plane.deps.queues.reports(channel), { body: encodeJob(r) });
  async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const value = await probe();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('timed out waiting for the report to be recorded');
  }

  it("ignores a report that names another cluster than its channel's", async () => {
    const forged = { namespace: 'flux-system', name: 'forged' };
    const marker = { namespace: 'flux-system', name: 'marker-1' };
    await send('dev', report('prod', forged, Date.now()));
    await send('dev', report('dev', marker, Date.now()));
    expect(await waitFor(() => status('dev', marker))).toMatchObject({ cluster: 'dev', ready: true });
    expect(await status('prod', forged)).toBeUndefined();
    expect(await status('dev', forged)).toBeUndefined();
  });

  it('refuses a report timestamped in the future, but allows a little clock skew', async () => {
    const future = { namespace: 'flux-system', name: 'future' };
    const skewed = { namespace: 'flux-system', name: 'skewed' };
    await send('prod', report('prod', future, Date.now() + 3_600_000));
    await send('prod', report('prod', skewed, Date.now() + 60_000));
    expect(await waitFor(() => status('prod', skewed))).toMatchObject({ cluster: 'prod' });
    expect(await status('prod', future)).toBeUndefined();
  });

  it("lets a puller's role send only to its own cluster's reports queue", () => {
    const arn = (name: string) => `arn:aws:sqs:eu-west-1:123456789012:${name}`;
    const arns: PolicyArns = {
      bucket: 'arn:aws:s3:::b',
      queues: { fetch: arn('f'), render: arn('r'), fetchDlq: arn('fd'), renderDlq: arn('rd') },
      clusterQueues: { dev: arn('cluster-dev'), prod: arn('cluster-prod') },
      reportQueues: { dev: arn('reports-dev'), prod: arn('reports-prod') },
      reportDlqs: { dev: arn('reports-dev-dlq'), prod: arn('reports-prod-dlq') },
      signingKey: 'arn:aws:kms:eu-west-1:123456789012:key/s',
      dataKey: 'arn:aws:kms:eu-west-1:123456789012:key/d',
      sopsKeys: [],
    };
    const sends = pullerPolicy(arns, 'dev').Statement.filter((s) => s.Action.includes('sqs:SendMessage'));
    expect(sends.flatMap((s) => s.Resource)).toEqual([arn('reports-dev')]);
  });
});
