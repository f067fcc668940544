// One repository declared by GitRepositories in several clusters: each declaration is its own record, so
// the order of the renders changes nothing, the schedule follows the shortest interval among them, and
// one declarer withdrawing leaves the others' declarations in force. Against the real local SQS/S3 server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import type { Kustomization } from '../../shared/api/kustomization.ts';
import type {
  ClusterSourceRecord,
  FetchSpec,
  FetchState,
  KustomizationRecord,
} from '../../shared/core/pipeline/records.ts';
import { splitRenderedObjects } from '../../shared/core/pipeline/split-rendered-objects.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { putJson } from '../../shared/ports/object-store.ts';
import { readStatus } from '../../shared/usecases/read-status.ts';
import { registerChildren } from '../../shared/usecases/register-children.ts';
import { scheduleSources } from '../../shared/usecases/schedule-sources.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

type Raw = Record<string, unknown>;
const NS = 'flux-system';
const FLEET = 'fleet-source-key';
const MINUTE = 60_000;
let env: StoreAndQueues;
let repoCount = 0;

beforeAll(async () => {
  env = await startStoreAndQueues('declarers', ['dev', 'prod']);
});
afterAll(() => env?.close());

/** A root Kustomization `apps` of `cluster` whose render declares GitRepository `team` (when given) and a user of it. */
function declareTeam(cluster: string, team?: { url: string; interval: string }) {
  const objects: Raw[] = team
    ? [
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: { name: 'team', namespace: NS },
          spec: { url: team.url, interval: team.interval, ref: { branch: 'main' } },
        },
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'web', namespace: NS },
          spec: {
            interval: '10m',
            path: './web',
            prune: true,
            sourceRef: { kind: 'GitRepository', name: 'team' },
          },
        },
      ]
    : [];
  const raw = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: NS },
    spec: {
      interval: '10m',
      path: './apps',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
  };
  const ks = decodeResource(raw, { file: `clusters/${cluster}/apps.yaml`, document: 0 }) as Kustomization;
  const parent: KustomizationRecord = { cluster, kustomization: ks, sourceKey: FLEET, parent: null };
  return registerChildren(env.deps, parent, splitRenderedObjects(objects, `Kustomization/${NS}/apps`), FLEET);
}

async function sourceKeyIn(cluster: string): Promise<string> {
  const record = await env.deps.store.get(stateKeys.source(cluster, { namespace: NS, name: 'team' }));
  return (JSON.parse(record?.toString('utf8') ?? '{}') as ClusterSourceRecord).sourceKey;
}

async function sourceView(sourceKey: string) {
  return (await readStatus(env.deps)).sources.find((s) => s.sourceKey === sourceKey);
}

/** Whether the scheduler finds the source due when its last fetch attempt was `agoMs` ago. */
async function dueAfter(sourceKey: string, agoMs: number): Promise<boolean> {
  const state: FetchState = {
    sourceKey,
    generation: 1,
    lastAttemptAt: new Date(env.deps.clock.now() - agoMs).toISOString(),
  };
  await putJson(env.deps.store, stateKeys.fetchState(sourceKey), state);
  return (await scheduleSources(env.deps)).includes(sourceKey);
}

const newUrl = () => `https://git.example.com/team/repo-${++repoCount}.git`;
const TEAM_IN = (cluster: string) => ({ cluster, namespace: NS, name: 'team' });

describe('a repository declared in two clusters', () => {
  it('is one source whose record does not depend on which cluster rendered last', async () => {
    const url = newUrl();
    await declareTeam('dev', { url, interval: '1m' });
    await declareTeam('prod', { url, interval: '5m' });
    const sourceKey = await sourceKeyIn('dev');
    expect(await sourceKeyIn('prod')).toBe(sourceKey);
    const spec = await env.deps.store.get(stateKeys.fetchSpec(sourceKey));
    const view = await sourceView(sourceKey);
    expect(view?.declarers).toEqual([TEAM_IN('dev'), TEAM_IN('prod')]);
    expect(view?.declaredBy).toBe(
      'GitRepository/flux-system/team (cluster dev), GitRepository/flux-system/team (cluster prod)',
    );

    await declareTeam('dev', { url, interval: '1m' });
    expect(await env.deps.store.get(stateKeys.fetchSpec(sourceKey))).toEqual(spec);
    expect(await sourceView(sourceKey)).toEqual(view);
  });

  it('is fetched at the shortest interval of its declarers, whichever rendered last', async () => {
    const url = newUrl();
    await declareTeam('dev', { url, interval: '1m' });
    await declareTeam('prod', { url, interval: '5m' });
    const sourceKey = await sourceKeyIn('dev');
    expect(await dueAfter(sourceKey, 2 * MINUTE)).toBe(true);
    expect(await dueAfter(sourceKey, 30_000)).toBe(false);
  });

  it('stays declared by the other cluster when one withdraws it, at that cluster’s interval', async () => {
    const url = newUrl();
    await declareTeam('dev', { url, interval: '1m' });
    await declareTeam('prod', { url, interval: '5m' });
    const sourceKey = await sourceKeyIn('dev');

    await declareTeam('dev');
    expect((await sourceView(sourceKey))?.declarers).toEqual([TEAM_IN('prod')]);
    expect(await dueAfter(sourceKey, 2 * MINUTE)).toBe(false);
    expect(await dueAfter(sourceKey, 6 * MINUTE)).toBe(true);

    await declareTeam('prod');
    expect((await sourceView(sourceKey))?.declarers).toEqual([]);
    expect(await dueAfter(sourceKey, 6 * MINUTE)).toBe(false);
  });

  it('withdraws its old declaration when a GitRepository moves to another URL', async () => {
    const [before, after] = [newUrl(), newUrl()];
    await declareTeam('dev', { url: before, interval: '1m' });
    const old = await sourceKeyIn('dev');
    await declareTeam('dev', { url: after, interval: '1m' });
    expect(await sourceKeyIn('dev')).not.toBe(old);
    expect((await sourceView(old))?.declarers).toEqual([]);
    expect((await sourceView(await sourceKeyIn('dev')))?.declarers).toEqual([TEAM_IN('dev')]);
  });
});

describe('a source recorded by the previous version (interval and declaredBy in its spec)', () => {
  it('is still scheduled at its interval and shown by its declaredBy until it is declared again', async () => {
    const sourceKey = `legacy-${++repoCount}`;
    const legacy: FetchSpec & { intervalMs: number; declaredBy: string } = {
      sourceKey,
      url: newUrl(),
      intervalMs: MINUTE,
      declaredBy: 'GitRepository/flux-system/old (cluster dev)',
    };
    await putJson(env.deps.store, stateKeys.fetchSpec(sourceKey), legacy);
    await env.deps.store.put(
      stateKeys.fetchUser(sourceKey, 'dev', kustomizationTarget({ namespace: NS, name: 'old' })),
      '',
    );
    expect(await dueAfter(sourceKey, 2 * MINUTE)).toBe(true);
    expect(await dueAfter(sourceKey, 30_000)).toBe(false);
    expect(await sourceView(sourceKey)).toMatchObject({
      declaredBy: 'GitRepository/flux-system/old (cluster dev)',
      declarers: [],
    });
  });
});
