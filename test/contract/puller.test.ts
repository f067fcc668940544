// The puller's reconcile end to end against real local servers: artifacts and index entries in the embedded
// S3 server, reports on its own SQS reports queue, objects in the test Kubernetes API server. Covers Flux's
// apply stages, the in-cluster inventory, owner-checked pruning, refusal of untrusted artifacts,
// signed tombstones and dependsOn.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.ts';
import { inventoryOf } from '../../shared/core/apply/inventory.ts';
import { type ApplyOptions, type SignedArtifact, targetOf } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import { type ApplyReport, decodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { legacyKeys, type ObjectKey, stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { type TargetKind, targetKey } from '../../shared/core/pipeline/target.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import type { KeyService } from '../../shared/ports/key-service.ts';
import { getJson, putJson } from '../../shared/ports/object-store.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace, inventoryName } from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import {
  type PullerWorld,
  pullerDeps,
  revisionOf,
  startPullerWorld,
  storeAndIndex,
  TEST_INTERVAL_MS,
  testArtifact,
  testTombstone,
} from '../support/puller-world.ts';
import { widget, widgetCrd } from '../support/widget-crd.ts';

const BUCKET = 'sluice-puller-test';
const INVENTORY_NS = 'sluice-system';
const queues = defaultQueueNames('puller-test');

const APPS: ObjectKey = { namespace: 'flux-system', name: 'apps' };
const INFRA: ObjectKey = { namespace: 'flux-system', name: 'infra' };

let world: PullerWorld;
let store: PullerWorld['store'];
let queue: PullerWorld['queue'];
let keys: PullerWorld['keys'];
let otherKeys: LocalKeyService;

beforeAll(async () => {
  world = await startPullerWorld({ name: 'puller', bucket: BUCKET, queues, clusters: ['reports'] });
  ({ store, queue, keys } = world);
  otherKeys = new LocalKeyService(join(world.dir, 'other', 'signing.pem'));
});

afterAll(() => world?.close());

// Every test gets its own cluster name (its own index in the store) and its own Kubernetes API server.
let clusterSeq = 0;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };
let generation = 0;

beforeEach(async () => {
  kube = await startKubeApiServer({ namespaces: ['apps'] });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig());
  clock = { t: Date.parse('2025-06-01T12:00:00Z') };
  deps = pullerDeps(world, {
    cluster: `c${++clusterSeq}-${process.pid}`,
    kube: new ClientNodeCluster(kc),
    clock,
    queues: { cluster: queues.cluster('unused'), reports: queues.reports('reports') },
  });
  // What the puller's loop does once at start.
  await ensureInventoryNamespace(deps);
  kube.requests.length = 0;
});

afterEach(() => kube.close());

// ---- fixtures ---------------------------------------------------------------------------------------

function owned(obj: KubeObject, owner: ObjectKey = APPS): KubeObject {
  const copy = structuredClone(obj);
  setOwnerLabels(copy, owner);
  return copy;
}

const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

function configMap(
  name: string,
  ns = 'apps',
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ...extra }, data: { name } };
}

function deployment(name: string, ns = 'apps'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
    },
  };
}

interface PublishOptions {
  apply?: Partial<ApplyOptions>;
  signer?: KeyService;
  /** Change the stored artifact after signing. */
  tamper?: (artifact: SignedArtifact) => void;
  /** Publish for another kind than Kustomization (same namespace and name as `ks`). */
  kind?: TargetKind;
}

/** What the control plane's render stage does: sign the artifact, store it, point the index at it. */
async function publish(ks: ObjectKey, objects: KubeObject[], opts: PublishOptions = {}): Promise<IndexEntry> {
  generation++;
  const revision = revisionOf(generation);
  const payload = testArtifact(
    deps.cluster,
    { ...ks, kind: opts.kind ?? 'Kustomization' },
    generation,
    objects,
    opts.apply,
  );
  const signed = await signArtifact(payload, opts.signer ?? keys);
  opts.tamper?.(signed);
  return storeAndIndex(deps, payload.target, signed, { revision, publishedAt: clock.t });
}

/** What the control plane does when a Kustomization is withdrawn: sign a tombstone and point the index at it. */
async function tombstone(ks: ObjectKey): Promise<void> {
  const payload = testTombstone(deps.cluster, targetOf(ks), ++generation);
  const signed = await signArtifact(payload, keys);
  await storeAndIndex(deps, targetOf(ks), signed, { revision: payload.revision, publishedAt: clock.t });
}

function reportFor(reports: ApplyReport[], ks: ObjectKey): ApplyReport {
  const report = reports.find((r) => r.target.namespace === ks.namespace && r.target.name === ks.name);
  if (!report) throw new Error(`no report for ${ks.namespace}/${ks.name}: ${JSON.stringify(reports)}`);
  return report;
}

const live = (kind: string, name: string, ns?: string, apiVersion = 'v1') =>
  kube.object(apiVersion, kind, name, ns);

/** Successful server-side applies, as `METHOD path`, leaving out the puller's own inventory. */
function writes(method = 'PATCH'): string[] {
  return kube.requests
    .filter(
      (r) =>
        r.method === method &&
        r.status >= 200 &&
        r.status < 300 &&
        !r.path.includes(`/namespaces/${INVENTORY_NS}/`),
    )
    .map((r) => r.path);
}

function inventoryConfigMaps(): KubeObject[] {
  return kube.objects({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: INVENTORY_NS,
  }) as unknown as KubeObject[];
}

function inventoryOfKs(
  ks: ObjectKey,
): { digest: string; revision: string; removed?: boolean; entries: { id: string; v: string }[] } | undefined {
  const cm = inventoryConfigMaps().find(
    (o) =>
      (o.metadata as { annotations?: Record<string, string> }).annotations?.['sluice.dev/kustomization'] ===
      `${ks.namespace}/${ks.name}`,
  );
  const raw = (cm?.data as Record<string, string> | undefined)?.inventory;
  return raw ? JSON.parse(raw) : undefined;
}

/** Reports this test's cluster sent to its reports queue (acknowledging everything it reads). */
async function sentReports(): Promise<ApplyReport[]> {
  const out: ApplyReport[] = [];
  for (;;) {
    const messages = await queue.receive(deps.queues.reports, { maxMessages: 10 });
    if (messages.length === 0) return out;
    for (const m of messages) {
      await queue.ack(deps.queues.reports, m.receiptHandle);
      const job = decodeJob(m.body);
      if (job.kind === 'apply-report' && job.cluster === deps.cluster) out.push(job);
    }
  }
}

// ---- behaviour --------------------------------------------------------------------------------------

describe('reconcileCluster', () => {
  describe('targets', () => {
    it('keeps a HelmRelease named like a Kustomization apart: its own index entry, inventory and report', async () => {
      await publish(APPS, [owned(configMap('from-kustomization'))]);
      await publish(APPS, [owned(configMap('from-release'))], { kind: 'HelmRelease' });
      const reports = await reconcileCluster(deps);
      expect(reports.map((r) => [targetKey(r.target), r.ready]).sort()).toEqual([
        ['HelmRelease/flux-system/apps', true],
        ['Kustomization/flux-system/apps', true],
      ]);
      expect(live('ConfigMap', 'from-kustomization', 'apps')).toBeDefined();
      expect(live('ConfigMap', 'from-release', 'apps')).toBeDefined();
      expect(inventoryConfigMaps()).toHaveLength(2);

      // Withdrawing one prunes only its own objects.
      await publish(APPS, [], { kind: 'HelmRelease' });
      await reconcileCluster(deps);
      expect(live('ConfigMap', 'from-release', 'apps')).toBeUndefined();
      expect(live('ConfigMap', 'from-kustomization', 'apps')).toBeDefined();
    });

    it('reports an index entry of an unknown schema version as its own failure; the other targets go ahead', async () => {
      await publish(APPS, [owned(configMap('a'))]);
      const infra = await publish(INFRA, [owned(configMap('i'), INFRA)]);
      const key = stateKeys.index(deps.cluster, targetOf(INFRA));
      await putJson(store, key, { ...infra, schemaVersion: 99 });
      const reports = await reconcileCluster(deps);
      expect(reportFor(reports, APPS)).toMatchObject({ ready: true });
      const refused = reportFor(reports, INFRA);
      expect(refused).toMatchObject({ ready: false, reason: 'ArtifactFailed', target: targetOf(INFRA) });
      expect(refused.message).toContain(key);
      expect(live('ConfigMap', 'i', 'apps')).toBeUndefined();
    });

    it('carries over an index entry and inventory of the earlier layout (no kind in the key or record)', async () => {
      // The inventory ConfigMap keeps the name earlier versions gave it, so pruning carries over.
      const id = createHash('sha256').update('flux-system/apps').digest('hex').slice(0, 8);
      expect(inventoryName(targetOf(APPS))).toBe(`inventory-flux-system-apps-${id}`);
      await publish(APPS, [owned(configMap('kept')), owned(configMap('dropped'))]);
      await reconcileCluster(deps);

      // An earlier control plane's entry: at `index/<ns>/<name>.json`, naming `kustomization`.
      const { target: _target, ...entry } = await publish(APPS, [owned(configMap('kept'))]);
      await store.delete(stateKeys.index(deps.cluster, targetOf(APPS)));
      await putJson(store, legacyKeys.index(deps.cluster, targetOf(APPS)) as string, {
        ...entry,
        kustomization: APPS,
      });
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: true, pruned: 1, target: targetOf(APPS) });
      expect(live('ConfigMap', 'dropped', 'apps')).toBeUndefined();
      expect(live('ConfigMap', 'kept', 'apps')).toBeDefined();
    });
  });

  describe('applying', () => {
    it('applies Namespaces before what lives in them and CRDs before their custom resources', async () => {
      // Deliberately out of order: the puller must order them itself.
      await publish(APPS, [
        owned(widget('w', 'team-a')),
        owned(configMap('settings', 'team-a')),
        owned(widgetCrd()),
        owned(namespace('team-a')),
      ]);
      const reports = await reconcileCluster(deps);
      const report = reportFor(reports, APPS);
      expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded', applied: 4, pruned: 0 });

      const order = writes();
      const at = (suffix: string) => {
        const i = order.findIndex((p) => p.endsWith(suffix));
        expect(i, `${suffix} was applied`).toBeGreaterThanOrEqual(0);
        return i;
      };
      expect(at('/namespaces/team-a')).toBeLessThan(at('/namespaces/team-a/configmaps/settings'));
      expect(at('/customresourcedefinitions/widgets.example.com')).toBeLessThan(
        at('/namespaces/team-a/widgets/w'),
      );
      expect(live('Widget', 'w', 'team-a', 'example.com/v1')?.spec).toEqual({ size: 3 });
      expect(live('ConfigMap', 'settings', 'team-a')?.metadata.labels).toMatchObject({
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      });
    });

    it('applies with server-side apply as field manager sluice', async () => {
      await publish(APPS, [owned(configMap('settings'))]);
      await reconcileCluster(deps);
      const patch = kube.requests.find(
        (r) => r.method === 'PATCH' && r.path.endsWith('/configmaps/settings'),
      );
      expect(patch?.contentType).toBe('application/apply-patch+yaml');
      expect(patch?.query.fieldManager).toBe('sluice');
    });

    it('records the inventory in a ConfigMap in sluice-system', async () => {
      const objects = [owned(configMap('one')), owned(configMap('two')), owned(deployment('web'))];
      const entry = await publish(APPS, objects);
      await reconcileCluster(deps);
      expect(inventoryConfigMaps()).toHaveLength(1);
      const inventory = inventoryOfKs(APPS);
      expect(inventory?.digest).toBe(entry.digest);
      expect(inventory?.revision).toBe(entry.revision);
      expect(inventory?.entries).toEqual(inventoryOf(objects));
    });

    it('does nothing for an unchanged artifact until the interval has passed, then corrects drift', async () => {
      await publish(APPS, [owned(configMap('settings'))]);
      expect(await reconcileCluster(deps)).toHaveLength(1);

      await deps.kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'settings' });
      clock.t += TEST_INTERVAL_MS / 2;
      expect(await reconcileCluster(deps)).toEqual([]);
      expect(live('ConfigMap', 'settings', 'apps')).toBeUndefined();

      clock.t += TEST_INTERVAL_MS;
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
      expect(live('ConfigMap', 'settings', 'apps')).toBeDefined();
    });
  });

  describe('drift correction', () => {
    it('leaves drift alone when the artifact says not to correct it (a HelmRelease without driftDetection enabled)', async () => {
      await publish(APPS, [owned(configMap('untouched'))], { apply: { correctDrift: false } });
      expect(await reconcileCluster(deps)).toHaveLength(1);
      await deps.kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'untouched' });
      clock.t += TEST_INTERVAL_MS * 2;
      expect(await reconcileCluster(deps)).toEqual([]);
      expect(live('ConfigMap', 'untouched', 'apps')).toBeUndefined();
    });
  });

  describe('pruning', () => {
    it('deletes an object the next artifact no longer has', async () => {
      await publish(APPS, [owned(configMap('keep')), owned(configMap('gone'))]);
      await reconcileCluster(deps);
      expect(live('ConfigMap', 'gone', 'apps')).toBeDefined();

      await publish(APPS, [owned(configMap('keep'))]);
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded', pruned: 1 });
      expect(live('ConfigMap', 'gone', 'apps')).toBeUndefined();
      expect(live('ConfigMap', 'keep', 'apps')).toBeDefined();
      expect(inventoryOfKs(APPS)?.entries.map((e) => e.id)).toEqual(['apps_keep__ConfigMap']);
    });

    it('prunes nothing when the artifact says prune: false', async () => {
      await publish(APPS, [owned(configMap('keep')), owned(configMap('stays'))], { apply: { prune: false } });
      await reconcileCluster(deps);
      await publish(APPS, [owned(configMap('keep'))], { apply: { prune: false } });
      expect(reportFor(await reconcileCluster(deps), APPS).pruned).toBe(0);
      expect(live('ConfigMap', 'stays', 'apps')).toBeDefined();
    });

    it('never deletes an object without owner labels', async () => {
      await publish(APPS, [owned(configMap('keep')), configMap('unlabelled')]);
      await reconcileCluster(deps);
      await publish(APPS, [owned(configMap('keep'))]);
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report.pruned).toBe(0);
      expect(live('ConfigMap', 'unlabelled', 'apps')).toBeDefined();
    });

    it('never deletes an object that another Kustomization has taken over', async () => {
      await publish(APPS, [owned(configMap('keep')), owned(configMap('moved'))]);
      await reconcileCluster(deps);
      // Another Kustomization now applies the same object with its own owner labels.
      await deps.kube.apply(owned(configMap('moved'), { namespace: 'flux-system', name: 'other' }), {
        fieldManager: 'sluice',
        force: true,
      });
      await publish(APPS, [owned(configMap('keep'))]);
      expect(reportFor(await reconcileCluster(deps), APPS).pruned).toBe(0);
      expect(live('ConfigMap', 'moved', 'apps')?.metadata.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe(
        'other',
      );
    });

    it.each([
      ['annotation', { annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } }],
      ['label', { labels: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } }],
      ['annotation in another case', { annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'Disabled' } }],
    ])('keeps an object opted out with the prune: disabled %s', async (_how, extra) => {
      await publish(APPS, [owned(configMap('keep')), owned(configMap('precious', 'apps', extra))]);
      await reconcileCluster(deps);
      await publish(APPS, [owned(configMap('keep'))]);
      expect(reportFor(await reconcileCluster(deps), APPS).pruned).toBe(0);
      expect(live('ConfigMap', 'precious', 'apps')).toBeDefined();
    });

    it('prunes a custom resource and its CRD removed together', async () => {
      await publish(APPS, [owned(widgetCrd()), owned(widget('w', 'apps')), owned(configMap('keep'))]);
      await reconcileCluster(deps);
      await publish(APPS, [owned(configMap('keep'))]);
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
      expect(
        live('CustomResourceDefinition', 'widgets.example.com', undefined, 'apiextensions.k8s.io/v1'),
      ).toBeUndefined();
      expect(inventoryOfKs(APPS)?.entries.map((e) => e.id)).toEqual(['apps_keep__ConfigMap']);
    });

    it('treats a custom resource whose CRD is already gone as pruned, also after a puller restart', async () => {
      await publish(APPS, [owned(widgetCrd()), owned(widget('w', 'apps')), owned(configMap('keep'))]);
      await reconcileCluster(deps);
      // Someone removes the CRD (and with it every Widget), then the puller restarts with a fresh client.
      await deps.kube.delete({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'widgets.example.com',
      });
      const kc = new KubeConfig();
      kc.loadFromString(kube.kubeconfig());
      deps = { ...deps, kube: new ClientNodeCluster(kc) };
      await publish(APPS, [owned(configMap('keep'))]);
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
      expect(inventoryOfKs(APPS)?.entries.map((e) => e.id)).toEqual(['apps_keep__ConfigMap']);
    });

    it('deletes stale objects in apply order (FLUX-RENDER §5.5)', async () => {
      await publish(APPS, [owned(deployment('aaa')), owned(configMap('zzz')), owned(configMap('keep'))]);
      await reconcileCluster(deps);
      kube.requests.length = 0;
      await publish(APPS, [owned(configMap('keep'))]);
      expect(reportFor(await reconcileCluster(deps), APPS).pruned).toBe(2);
      expect(writes('DELETE')).toEqual([
        '/api/v1/namespaces/apps/configmaps/zzz',
        '/apis/apps/v1/namespaces/apps/deployments/aaa',
      ]);
    });
  });

  describe('a failed apply', () => {
    it('prunes nothing, reports ReconciliationFailed naming the object, and prunes once an apply succeeds', async () => {
      await publish(APPS, [owned(configMap('keep')), owned(configMap('old'))]);
      await reconcileCluster(deps);

      await publish(APPS, [owned(configMap('keep')), owned(configMap('lost', 'no-such-namespace'))]);
      const failed = reportFor(await reconcileCluster(deps), APPS);
      expect(failed).toMatchObject({ ready: false, reason: 'ReconciliationFailed', pruned: 0 });
      expect(failed.message).toContain('ConfigMap/no-such-namespace/lost');
      expect(failed.message).toContain('namespaces "no-such-namespace" not found');
      expect(live('ConfigMap', 'old', 'apps')).toBeDefined();
      expect(writes('DELETE')).toEqual([]);

      await publish(APPS, [owned(configMap('keep'))]);
      const fixed = reportFor(await reconcileCluster(deps), APPS);
      expect(fixed).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded', pruned: 1 });
      expect(live('ConfigMap', 'old', 'apps')).toBeUndefined();
    });
  });

  describe('one failing Kustomization', () => {
    // flux-system/apps comes first in the index; flux-system/infra after it depends on nothing.
    it.each([
      [
        'a CRD',
        [owned(widgetCrd()), owned(widget('w', 'apps'))],
        /\/customresourcedefinitions\/widgets\.example\.com$/,
      ],
      [
        'a Namespace',
        [owned(namespace('team-a')), owned(configMap('settings', 'team-a'))],
        /\/namespaces\/team-a$/,
      ],
    ])(
      'still applies and reports the ones after it when waiting for %s fails',
      async (_what, objects, path) => {
        await publish(APPS, objects);
        await publish(INFRA, [owned(configMap('infra-config'), INFRA)]);
        await sentReports();
        // The first GET is the apply's own look-up; the second is the wait for it to be established.
        kube.failNext('GET', path, 500, undefined, { skip: 1 });

        const reports = await reconcileCluster(deps);
        expect(reportFor(reports, APPS)).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
        expect(reportFor(reports, INFRA)).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
        expect(live('ConfigMap', 'infra-config', 'apps')).toBeDefined();
        // Targets reconcile concurrently: the reports arrive in the order they finish.
        expect((await sentReports()).map((r) => [r.target.name, r.reason]).sort()).toEqual([
          ['apps', 'ReconciliationFailed'],
          ['infra', 'ReconciliationSucceeded'],
        ]);
      },
    );

    it('reports HealthCheckFailed for a Namespace that never shows up, and still applies the next', async () => {
      await publish(APPS, [owned(namespace('team-a')), owned(configMap('settings', 'team-a'))]);
      await publish(INFRA, [owned(configMap('infra-config'), INFRA)]);
      // After the apply's own look-up, every GET of the Namespace says it is not there, past the wait's bound.
      const polls = deps.establishTimeoutMs / 250 + 2;
      for (let i = 0; i < polls; i++)
        kube.failNext('GET', /\/namespaces\/team-a$/, 404, undefined, { skip: i === 0 ? 1 : 0 });

      const reports = await reconcileCluster(deps);
      expect(reportFor(reports, APPS)).toMatchObject({ ready: false, reason: 'HealthCheckFailed' });
      expect(live('ConfigMap', 'settings', 'team-a')).toBeUndefined();
      expect(reportFor(reports, INFRA)).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
    });

    it('still applies the ones after it when reading its inventory fails', async () => {
      await publish(APPS, [owned(configMap('app-config'))]);
      await publish(INFRA, [owned(configMap('infra-config'), INFRA)]);
      kube.failNext('GET', /\/configmaps\/inventory-flux-system-apps-/, 500);

      const reports = await reconcileCluster(deps);
      expect(reportFor(reports, APPS)).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
      expect(reportFor(reports, INFRA)).toMatchObject({ ready: true, reason: 'ReconciliationSucceeded' });
      expect(live('ConfigMap', 'infra-config', 'apps')).toBeDefined();
    });
  });

  describe('untrusted artifacts', () => {
    it.each<[string, () => PublishOptions, RegExp]>([
      [
        'a payload changed after signing',
        () => ({
          tamper: (a) => {
            a.payload.objects.push(owned(configMap('injected')));
          },
        }),
        /digest/,
      ],
      ['an artifact signed by another key', () => ({ signer: otherKeys }), /signature/],
    ])('refuses %s and applies nothing', async (_what, opts, why) => {
      await publish(APPS, [owned(namespace('team-a')), owned(configMap('settings', 'team-a'))], opts());
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: false, reason: 'ArtifactRejected', applied: 0 });
      expect(report.message).toMatch(why);
      expect(writes()).toEqual([]);
      expect(live('Namespace', 'team-a')).toBeUndefined();
      expect(inventoryConfigMaps()).toEqual([]);
    });

    it('leaves what the last good artifact applied untouched when the next one is refused', async () => {
      await publish(APPS, [owned(configMap('a')), owned(configMap('b'))]);
      await reconcileCluster(deps);
      const before = inventoryOfKs(APPS);
      kube.requests.length = 0;
      await publish(APPS, [owned(configMap('a'))], { signer: otherKeys });
      expect(reportFor(await reconcileCluster(deps), APPS).reason).toBe('ArtifactRejected');
      expect(live('ConfigMap', 'b', 'apps')).toBeDefined();
      expect(writes()).toEqual([]);
      expect(writes('DELETE')).toEqual([]);
      expect(inventoryOfKs(APPS)).toEqual(before);
    });

    it('refuses an artifact whose digest is not the one the index names', async () => {
      const good = await publish(APPS, [owned(configMap('a'))]);
      await publish(APPS, [owned(configMap('b'))]);
      // Point the index at the second artifact's key but claim the first one's digest.
      const entry = await getJson<IndexEntry>(store, stateKeys.index(deps.cluster, targetOf(APPS)));
      await putJson(store, stateKeys.index(deps.cluster, targetOf(APPS)), { ...entry, digest: good.digest });
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
      expect(writes()).toEqual([]);
    });

    it('reports a missing artifact as ArtifactFailed', async () => {
      const entry = await publish(APPS, [owned(configMap('a'))]);
      await store.delete(entry.artifactKey ?? '');
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: false, reason: 'ArtifactFailed' });
      expect(writes()).toEqual([]);
    });
  });

  describe('a tombstone index entry', () => {
    it('prunes everything the Kustomization owned and empties its inventory, remembering the removal', async () => {
      await publish(APPS, [
        owned(configMap('one')),
        owned(deployment('web')),
        owned({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'apps:reader' },
          rules: [],
        }),
      ]);
      await reconcileCluster(deps);
      expect(inventoryOfKs(APPS)).toBeDefined();

      await tombstone(APPS);
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: true, reason: 'Pruned', pruned: 3 });
      expect(live('ConfigMap', 'one', 'apps')).toBeUndefined();
      expect(live('Deployment', 'web', 'apps', 'apps/v1')).toBeUndefined();
      expect(live('ClusterRole', 'apps:reader', undefined, 'rbac.authorization.k8s.io/v1')).toBeUndefined();
      expect(inventoryOfKs(APPS)).toMatchObject({ removed: true, entries: [] });
      expect(inventoryConfigMaps()).toHaveLength(1);
      expect(await reconcileCluster(deps)).toEqual([]); // done once
    });

    it('still keeps objects it does not own', async () => {
      await publish(APPS, [owned(configMap('one')), configMap('foreign')]);
      await reconcileCluster(deps);
      await tombstone(APPS);
      expect(reportFor(await reconcileCluster(deps), APPS).pruned).toBe(1);
      expect(live('ConfigMap', 'foreign', 'apps')).toBeDefined();
    });

    it('leaves the objects of a Kustomization with prune: false in place, as Flux does', async () => {
      await publish(APPS, [owned(configMap('one'))], { apply: { prune: false } });
      await reconcileCluster(deps);
      await tombstone(APPS);
      expect(reportFor(await reconcileCluster(deps), APPS)).toMatchObject({
        ready: true,
        reason: 'Removed',
        pruned: 0,
      });
      expect(live('ConfigMap', 'one', 'apps')).toBeDefined();
      expect(inventoryOfKs(APPS)).toMatchObject({ removed: true, entries: [] });
    });

    it('is quiet when nothing was ever applied', async () => {
      await tombstone(APPS);
      expect(await reconcileCluster(deps)).toEqual([]);
    });
  });

  describe('dependsOn', () => {
    it('reconciles dependencies first, whatever the index order', async () => {
      // The index lists flux-system/apps before flux-system/infra.
      await publish(APPS, [owned(configMap('app-config'))], { apply: { dependsOn: [INFRA] } });
      await publish(INFRA, [
        owned(namespace('infra'), INFRA),
        owned(configMap('infra-config', 'infra'), INFRA),
      ]);
      const reports = await reconcileCluster(deps);
      expect(reports.map((r) => [r.target.name, r.ready, r.reason])).toEqual([
        ['infra', true, 'ReconciliationSucceeded'],
        ['apps', true, 'ReconciliationSucceeded'],
      ]);
      const order = writes();
      expect(order.findIndex((p) => p.endsWith('/configmaps/infra-config'))).toBeLessThan(
        order.findIndex((p) => p.endsWith('/configmaps/app-config')),
      );
    });

    it('holds a Kustomization back with DependencyNotReady while its dependency fails', async () => {
      await publish(APPS, [owned(configMap('app-config'))], { apply: { dependsOn: [INFRA] } });
      await publish(INFRA, [owned(configMap('infra-config', 'no-such-namespace'), INFRA)]);
      const reports = await reconcileCluster(deps);
      expect(reportFor(reports, INFRA)).toMatchObject({ ready: false, reason: 'ReconciliationFailed' });
      const held = reportFor(reports, APPS);
      expect(held).toMatchObject({ ready: false, reason: 'DependencyNotReady', applied: 0 });
      expect(held.message).toContain('flux-system/infra');
      expect(live('ConfigMap', 'app-config', 'apps')).toBeUndefined();
    });

    it('holds a Kustomization back when its dependency is refused', async () => {
      await publish(APPS, [owned(configMap('app-config'))], { apply: { dependsOn: [INFRA] } });
      await publish(INFRA, [owned(configMap('infra-config'), INFRA)], { signer: otherKeys });
      const reports = await reconcileCluster(deps);
      expect(reportFor(reports, INFRA).reason).toBe('ArtifactRejected');
      expect(reportFor(reports, APPS).reason).toBe('DependencyNotReady');
      expect(live('ConfigMap', 'app-config', 'apps')).toBeUndefined();
    });

    it('holds a Kustomization back when its dependency does not exist in the cluster', async () => {
      await publish(APPS, [owned(configMap('app-config'))], {
        apply: { dependsOn: [{ namespace: 'flux-system', name: 'missing' }] },
      });
      const report = reportFor(await reconcileCluster(deps), APPS);
      expect(report).toMatchObject({ ready: false, reason: 'DependencyNotReady' });
      expect(report.message).toContain('flux-system/missing');
    });

    it('waits for a dependency of another kind when dependsOn names its kind (a HelmRelease after a Kustomization)', async () => {
      const WEB: ObjectKey = { namespace: 'flux-system', name: 'web' };
      await publish(WEB, [owned(configMap('web-config'), WEB)], {
        kind: 'HelmRelease',
        apply: { dependsOn: [{ ...INFRA, kind: 'Kustomization' }] },
      });
      await publish(INFRA, [owned(configMap('infra-config', 'no-such-namespace'), INFRA)]);
      const held = reportFor(await reconcileCluster(deps), WEB);
      expect(held).toMatchObject({ ready: false, reason: 'DependencyNotReady' });
      expect(live('ConfigMap', 'web-config', 'apps')).toBeUndefined();
      await publish(INFRA, [owned(configMap('infra-config'), INFRA)]);
      const reports = await reconcileCluster(deps);
      expect(reportFor(reports, WEB).ready).toBe(true);
      expect(reports.map((r) => r.target.name)).toEqual(['infra', 'web']);
    });

    it('treats an unchanged, healthy dependency as ready', async () => {
      await publish(INFRA, [owned(configMap('infra-config'), INFRA)]);
      await reconcileCluster(deps);
      await publish(APPS, [owned(configMap('app-config'))], { apply: { dependsOn: [INFRA] } });
      const reports = await reconcileCluster(deps);
      expect(reports.map((r) => r.target.name)).toEqual(['apps']);
      expect(reportFor(reports, APPS).ready).toBe(true);
    });
  });

  describe('reports', () => {
    it("sends every report to the cluster's own reports queue", async () => {
      await sentReports(); // start from an empty view of this cluster's reports
      await publish(APPS, [owned(configMap('app-config'))], { apply: { dependsOn: [INFRA] } });
      const infra = await publish(INFRA, [owned(configMap('infra-config'), INFRA)]);
      const reports = await reconcileCluster(deps);
      expect(reports).toHaveLength(2);
      const byName = (list: ApplyReport[]) =>
        [...list].sort((a, b) => a.target.name.localeCompare(b.target.name));
      const sent = await sentReports();
      expect(byName(sent)).toEqual(byName(reports));
      expect(reportFor(sent, INFRA)).toMatchObject({
        kind: 'apply-report',
        cluster: deps.cluster,
        digest: infra.digest,
        revision: infra.revision,
        ready: true,
        applied: 1,
        at: new Date(clock.t).toISOString(),
      });
    });

    it('sends failures too', async () => {
      await publish(APPS, [owned(configMap('a'))], { signer: otherKeys });
      await reconcileCluster(deps);
      const sent = await sentReports();
      expect(sent.map((r) => [r.target.name, r.ready, r.reason])).toEqual([
        ['apps', false, 'ArtifactRejected'],
      ]);
    });
  });
});
