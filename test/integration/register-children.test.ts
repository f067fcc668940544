// registerChildren against the real local SQS/S3 server: what a render declares becomes records and queued
// jobs; cycles, nesting deeper than MAX_DEPTH and a second declarer are refused; what a parent stops
// declaring is withdrawn, except what another declarer has taken over.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import type { Kustomization } from '../../shared/api/kustomization.ts';
import { decodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { ClusterSourceRecord, KustomizationRecord } from '../../shared/core/pipeline/records.ts';
import { splitRenderedObjects } from '../../shared/core/pipeline/split-rendered-objects.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { getJson } from '../../shared/ports/object-store.ts';
import { MAX_DEPTH, registerChildren } from '../../shared/usecases/register-children.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

type Raw = Record<string, unknown>;
type Parent = KustomizationRecord & { ancestors?: string[] };

const NS = 'flux-system';
const FLEET = 'fleet-source-key';
let env: StoreAndQueues;
let clusterCount = 0;
let cluster: string;

beforeAll(async () => {
  env = await startStoreAndQueues('children');
});
afterAll(() => env?.close());
beforeEach(async () => {
  // Each test gets its own cluster, so the records of one never meet another's.
  cluster = `c${++clusterCount}`;
  await env.drain(env.deps.queues.render);
  await env.drain(env.deps.queues.fetch);
});

const kustomization = (name: string, source = 'flux-system'): Raw => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: NS },
  spec: {
    interval: '10m',
    path: `./${name}`,
    prune: true,
    sourceRef: { kind: 'GitRepository', name: source },
  },
});

const configMap = (name: string, data: Record<string, string>): Raw => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: NS },
  data,
});

/** A Kustomization substituting from ConfigMap `vars`. */
const substituting = (name: string): Raw => {
  const raw = kustomization(name);
  return {
    ...raw,
    spec: { ...(raw.spec as Raw), postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] } },
  };
};

const gitRepository = (name: string, url = `https://git.example.com/team/${name}.git`): Raw => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name, namespace: NS },
  spec: { url, interval: '5m', ref: { branch: 'main' } },
});

/** A root Kustomization of the cluster (declared by no other). */
function root(name: string): Parent {
  const ks = decodeResource(kustomization(name), { file: 'clusters/dev/root.yaml', document: 0 });
  return { cluster, kustomization: ks as Kustomization, sourceKey: FLEET, parent: null };
}

/** What a render of `parent` produced, sorted as the render job sorts it. */
function rendered(parent: Parent, ...objects: Raw[]) {
  return splitRenderedObjects(objects, `Kustomization/${NS}/${parent.kustomization.metadata.name}`);
}

const declare = (parent: Parent, ...objects: Raw[]) =>
  registerChildren(env.deps, parent, rendered(parent, ...objects), FLEET);

const recordOf = (name: string) =>
  stateOf(env.deps).getTargetRecord(cluster, kustomizationTarget({ namespace: NS, name })) as Promise<
    Parent | undefined
  >;

const sourceRecordOf = (name: string) =>
  stateOf(env.deps).getClusterSource(cluster, { namespace: NS, name }) as Promise<
    ClusterSourceRecord | undefined
  >;

/** Whether the source is marked as rendered from by this cluster's Kustomization `name`. */
const usesSource = async (sourceKey: string, name: string) =>
  (await env.deps.store.get(
    stateKeys.fetchUser(sourceKey, cluster, kustomizationTarget({ namespace: NS, name })),
  )) !== undefined;

/** Names of the Kustomizations whose render was queued since the last call. */
async function queuedRenders(): Promise<string[]> {
  const jobs = (await env.drain(env.deps.queues.render)).map((m) => decodeJob(m.body));
  return jobs.map((j) => (j.kind === 'render' ? j.target.name : `unexpected ${j.kind}`)).sort();
}

describe('registerChildren records what a render declares', () => {
  it('records each child with its parent and ancestors, marks its source in use and queues its render', async () => {
    const apps = root('apps');
    await declare(apps, kustomization('web'), kustomization('api', 'team'), gitRepository('team'));

    const team = await sourceRecordOf('team');
    expect(team?.parent).toEqual({ namespace: NS, name: 'apps' });
    expect(await getJson(env.deps.store, stateKeys.fetchSpec(team?.sourceKey ?? ''))).toMatchObject({
      url: 'https://git.example.com/team/team.git',
    });
    expect(await recordOf('web')).toMatchObject({
      sourceKey: FLEET,
      parent: { namespace: NS, name: 'apps' },
      ancestors: [`${NS}/apps`],
    });
    expect((await recordOf('api'))?.sourceKey).toBe(team?.sourceKey);
    expect(await usesSource(team?.sourceKey ?? '', 'api')).toBe(true);
    expect(await usesSource(team?.sourceKey ?? '', 'web')).toBe(false);
    expect(await queuedRenders()).toEqual(['api', 'web']);
    // A source never fetched yet is fetched now, not at its next interval.
    const fetches = (await env.drain(env.deps.queues.fetch)).map((m) => decodeJob(m.body));
    expect(fetches).toEqual([{ kind: 'fetch', sourceKey: team?.sourceKey, reason: 'registration' }]);
  });

  it('queues nothing when the same render declares the same children again', async () => {
    const apps = root('apps');
    await declare(apps, kustomization('web'));
    expect(await queuedRenders()).toEqual(['web']);
    await declare(apps, kustomization('web'));
    expect(await queuedRenders()).toEqual([]);
  });

  it('resolves a GitRepository declared by another Kustomization of the cluster', async () => {
    await declare(root('sources'), gitRepository('shared'));
    await declare(root('apps'), kustomization('web', 'shared'));
    expect((await recordOf('web'))?.sourceKey).toBe((await sourceRecordOf('shared'))?.sourceKey);
  });
});

describe('registerChildren refuses', () => {
  it('a Kustomization that declares itself', async () => {
    const apps = root('apps');
    const err = await rejectionOf(declare(apps, kustomization('apps')));
    expect(err).toMatchObject({
      code: 'ValidationFailed',
      object: `Kustomization/${NS}/apps`,
      retryable: false,
    });
    expect(await recordOf('apps')).toBeUndefined();
    expect(await queuedRenders()).toEqual([]);
  });

  it('a Kustomization that declares one of its ancestors', async () => {
    await declare(root('a'), kustomization('b'));
    const b = (await recordOf('b')) as Parent;
    await declare(b, kustomization('c'));
    const c = (await recordOf('c')) as Parent;
    const err = await rejectionOf(declare(c, kustomization('a')));
    expect(err).toMatchObject({ code: 'ValidationFailed', object: `Kustomization/${NS}/c` });
    expect(await recordOf('a')).toBeUndefined();
  });

  it(`nesting deeper than ${MAX_DEPTH} levels, and allows exactly ${MAX_DEPTH}`, async () => {
    expect(MAX_DEPTH).toBe(8);
    // Level 1 is the root; each render declares the next level, read back from its stored record.
    let parent = root('level-1');
    for (let level = 2; level <= MAX_DEPTH; level++) {
      await declare(parent, kustomization(`level-${level}`));
      parent = (await recordOf(`level-${level}`)) as Parent;
    }
    expect(parent.ancestors).toHaveLength(MAX_DEPTH - 1);
    const err = await rejectionOf(declare(parent, kustomization(`level-${MAX_DEPTH + 1}`)));
    expect(err).toMatchObject({ code: 'ValidationFailed', object: `Kustomization/${NS}/level-${MAX_DEPTH}` });
    expect(await recordOf(`level-${MAX_DEPTH + 1}`)).toBeUndefined();
  });

  it('a Kustomization already declared by another parent, and keeps the first declaration', async () => {
    await declare(root('first'), kustomization('web'));
    await queuedRenders();
    const err = await rejectionOf(declare(root('second'), kustomization('web')));
    expect(err).toMatchObject({ code: 'ValidationFailed', object: `Kustomization/${NS}/second` });
    expect((await recordOf('web'))?.parent).toEqual({ namespace: NS, name: 'first' });
    expect(await queuedRenders()).toEqual([]);
  });
});

describe('a refused render', () => {
  it('records none of what it declares, so nothing of it is left behind to withdraw later', async () => {
    const apps = root('apps');
    const err = await rejectionOf(
      declare(apps, gitRepository('team'), kustomization('web', 'team'), kustomization('apps')),
    );
    expect(err.code).toBe('ValidationFailed');
    expect(await recordOf('web')).toBeUndefined();
    expect(await sourceRecordOf('team')).toBeUndefined();
    expect(await queuedRenders()).toEqual([]);
    // The author removes the cycle and the child with it: no record of the child may outlive that.
    await declare(apps);
    expect(await recordOf('web')).toBeUndefined();
  });

  it('records none of its children when one of them is declared elsewhere', async () => {
    await declare(root('first'), kustomization('web'));
    await queuedRenders();
    const second = root('second');
    expect((await rejectionOf(declare(second, kustomization('api'), kustomization('web')))).code).toBe(
      'ValidationFailed',
    );
    expect(await recordOf('api')).toBeUndefined();
    expect(await queuedRenders()).toEqual([]);
    // Once fixed, the render declares what it now renders, and only that.
    await declare(second, kustomization('api'));
    expect((await recordOf('api'))?.parent).toEqual({ namespace: NS, name: 'second' });
  });
});

describe('registerChildren withdraws', () => {
  it('a child the parent no longer renders: its record and source marker go, and its render is queued to prune', async () => {
    const apps = root('apps');
    await declare(apps, kustomization('web'), kustomization('api', 'team'), gitRepository('team'));
    await queuedRenders();
    const team = (await sourceRecordOf('team'))?.sourceKey ?? '';

    await declare(apps, kustomization('web'), gitRepository('team'));
    expect(await recordOf('api')).toBeUndefined();
    expect(await usesSource(team, 'api')).toBe(false);
    // Only the withdrawn one: its render finds no record and writes the prune tombstone.
    expect(await queuedRenders()).toEqual(['api']);
    expect(await recordOf('web')).toBeDefined();
  });

  it('every child when the parent renders none any more', async () => {
    const apps = root('apps');
    await declare(apps, kustomization('web'), gitRepository('team'));
    await queuedRenders();
    await declare(apps);
    expect(await recordOf('web')).toBeUndefined();
    expect(await sourceRecordOf('team')).toBeUndefined();
    expect(await queuedRenders()).toEqual(['web']);
  });

  it('a GitRepository only while no other Kustomization has declared it since', async () => {
    await declare(root('first'), gitRepository('shared'));
    const sourceKey = (await sourceRecordOf('shared'))?.sourceKey ?? '';
    await declare(root('second'), gitRepository('shared'), kustomization('web', 'shared'));

    await declare(root('first'));
    expect(await sourceRecordOf('shared')).toEqual({ sourceKey, parent: { namespace: NS, name: 'second' } });
    expect(await getJson(env.deps.store, stateKeys.fetchSpec(sourceKey))).toBeDefined();
    expect((await recordOf('web'))?.sourceKey).toBe(sourceKey);

    await declare(root('second'));
    expect(await sourceRecordOf('shared')).toBeUndefined();
  });
});

describe('registerChildren and substituteFrom', () => {
  it('renders a consumer again when its ConfigMap changes or is withdrawn, once per change', async () => {
    const apps = root('apps');
    const configKey = stateKeys.config(cluster, 'ConfigMap', { namespace: NS, name: 'vars' });
    // The ConfigMap comes last: a child whose document index moves counts as changed and renders again.
    await declare(apps, substituting('web'), kustomization('plain'), configMap('vars', { tier: 'one' }));
    expect(await queuedRenders()).toEqual(['plain', 'web']);

    await declare(apps, substituting('web'), kustomization('plain'), configMap('vars', { tier: 'two' }));
    expect(await getJson(env.deps.store, configKey)).toMatchObject({ data: { tier: 'two' } });
    expect(await queuedRenders()).toEqual(['web']);

    await declare(apps, substituting('web'), kustomization('plain'));
    expect(await getJson(env.deps.store, configKey)).toBeUndefined();
    expect(await queuedRenders()).toEqual(['web']);
  });
});

describe('HelmReleases under noCrossNamespaceRefs', () => {
  const helmRelease = (namespace: string, sourceNamespace: string): Raw => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web', namespace },
    spec: {
      interval: '10m',
      chart: {
        spec: {
          chart: 'web',
          sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: sourceNamespace },
        },
      },
    },
  });
  const impliedChart = (namespace: string, name: string) =>
    stateOf(env.deps).getClusterSource(cluster, { namespace, name }, 'HelmChart');

  it("does not create the HelmChart a tenant's release implies in another namespace", async () => {
    env.deps.settings.noCrossNamespaceRefs = true;
    try {
      await declare(root('tenants'), helmRelease('team-a', 'flux-system'), helmRelease('team-b', 'team-b'));
      expect(await impliedChart('flux-system', 'team-a-web')).toBeUndefined();
      expect(await impliedChart('team-b', 'team-b-web')).toBeDefined();
    } finally {
      env.deps.settings.noCrossNamespaceRefs = false;
    }
  });

  it('creates it without the lockdown, as Flux does', async () => {
    await declare(root('tenants'), helmRelease('team-a', 'flux-system'));
    expect(await impliedChart('flux-system', 'team-a-web')).toBeDefined();
  });
});

describe('a target waiting for a source a sibling declares', () => {
  const ociRepository = (name: string): Raw => ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name, namespace: NS },
    spec: { interval: '10m', url: `oci://registry.example.com/charts/${name}`, ref: { tag: '1.0.0' } },
  });
  const helmRepository = (name: string): Raw => ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name, namespace: NS },
    spec: { interval: '10m', url: `https://charts.example.com/${name}` },
  });
  const releaseFrom = (name: string, chart: Raw): Raw => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: NS },
    spec: { interval: '10m', ...chart },
  });
  const waitersFor = (kind: 'GitRepository' | 'OCIRepository' | 'HelmRepository', name: string) =>
    stateOf(env.deps).listSourceWaiters(cluster, { kind, namespace: NS, name });

  it('renders a Kustomization and a HelmRelease again as soon as the sibling declares their sources', async () => {
    await declare(
      root('apps'),
      kustomization('web', 'shared'),
      releaseFrom('api', { chartRef: { kind: 'OCIRepository', name: 'api-chart' } }),
    );
    expect(await queuedRenders()).toEqual(['api', 'web']);
    expect((await recordOf('web'))?.sourceKey).toBe('');
    expect((await waitersFor('GitRepository', 'shared')).map((w) => w.name)).toEqual(['web']);

    await declare(root('infrastructure'), gitRepository('shared'), ociRepository('api-chart'));
    // Queued by the declaring render itself: no retry of the waiting renders is needed.
    expect(await queuedRenders()).toEqual(['api', 'web']);
    expect(await waitersFor('GitRepository', 'shared')).toEqual([]);
    expect(await waitersFor('OCIRepository', 'api-chart')).toEqual([]);
  });

  it('fetches a HelmChart again as soon as the sibling declares its HelmRepository', async () => {
    const release = releaseFrom('web', {
      chart: { spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
    });
    await declare(root('apps'), release);
    const chart = await stateOf(env.deps).getClusterSource(
      cluster,
      { namespace: NS, name: `${NS}-web` },
      'HelmChart',
    );
    expect((await waitersFor('HelmRepository', 'charts')).map((w) => w.sourceKey)).toEqual([
      chart?.sourceKey,
    ]);
    await env.drain(env.deps.queues.fetch);

    await declare(root('infrastructure'), helmRepository('charts'));
    const fetches = (await env.drain(env.deps.queues.fetch)).map((m) => decodeJob(m.body));
    expect(fetches).toContainEqual({ kind: 'fetch', sourceKey: chart?.sourceKey, reason: 'registration' });
    expect(await waitersFor('HelmRepository', 'charts')).toEqual([]);
  });

  it('does not render a withdrawn target when its source is declared later', async () => {
    const apps = root('apps');
    await declare(apps, kustomization('web', 'shared'));
    await declare(apps);
    expect(await queuedRenders()).toEqual(['web', 'web']);
    expect(await waitersFor('GitRepository', 'shared')).toEqual([]);

    await declare(root('infrastructure'), gitRepository('shared'));
    expect(await queuedRenders()).toEqual([]);
  });

  it('skips a waiter whose target is gone, and deletes it', async () => {
    const target = kustomizationTarget({ namespace: NS, name: 'gone' });
    const source = { kind: 'GitRepository' as const, namespace: NS, name: 'shared' };
    await stateOf(env.deps).putSourceWaiter(cluster, source, target);
    await declare(root('infrastructure'), gitRepository('shared'));
    expect(await queuedRenders()).toEqual([]);
    expect(await waitersFor('GitRepository', 'shared')).toEqual([]);
  });
});
