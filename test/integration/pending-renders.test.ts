// A fetch that died between recording a new revision and queuing its renders is finished once by the next
// fetch, not on every fetch after it; and a render whose content did not change signs nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../shared/core/errors.ts';
import type { FetchJob, RenderJob } from '../../shared/core/pipeline/jobs.ts';
import type { FetchState, IndexEntry, RenderStatus } from '../../shared/core/pipeline/records.ts';
import { legacyKeys, stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import type { KeyService } from '../../shared/ports/key-service.ts';
import { getJson, putJson } from '../../shared/ports/object-store.ts';
import type { Queue } from '../../shared/ports/queue.ts';
import { fetchSource } from '../../shared/usecases/fetch-source.ts';
import type { PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { fleetSourceKey } from '../../shared/usecases/register-fleet.ts';
import { renderJob } from '../../shared/usecases/render-job.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type Harness, kustomizationStatus, startHarness } from '../support/pipeline-harness.ts';

const APPS: RenderJob = {
  kind: 'render',
  cluster: 'dev',
  target: kustomizationTarget({ namespace: 'flux-system', name: 'apps' }),
};

let h: Harness;
let fleetKey: string;

beforeAll(async () => {
  h = await startHarness();
  await h.start();
  fleetKey = fleetSourceKey({ url: h.git.url('fleet'), branch: 'main', intervalMs: 0 });
  await h.waitFor('the fleet delivered', () => h.kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo'));
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** The real queue, counting render jobs sent, and failing the first `failRenders` of them as an outage would. */
function countingQueue(base: Queue, renderQueue: string, failRenders = 0): Queue & { renders: number } {
  let failures = failRenders;
  const queue = {
    renders: 0,
    async send(name: string, message: Parameters<Queue['send']>[1]) {
      if (name === renderQueue) {
        if (failures > 0) {
          failures--;
          throw new SluiceError('QueueUnavailable', 'the render queue is unreachable (simulated outage)', {
            retryable: true,
          });
        }
        queue.renders++;
      }
      return base.send(name, message);
    },
    receive: (name: string, opts?: Parameters<Queue['receive']>[1]) => base.receive(name, opts),
    ack: (name: string, handle: string) => base.ack(name, handle),
    retryLater: (name: string, handle: string, delay: number) => base.retryLater(name, handle, delay),
  };
  return queue;
}

/** The control plane's real signing key, counting signatures. */
function countingKeys(base: KeyService): KeyService & { signatures: number } {
  const keys = {
    signatures: 0,
    keyId: () => base.keyId(),
    publicKeyPem: () => base.publicKeyPem(),
    sign: (message: Uint8Array) => {
      keys.signatures++;
      return base.sign(message);
    },
  };
  return keys;
}

const fetchFleet = (deps: PipelineDeps) =>
  fetchSource(deps, { kind: 'fetch', sourceKey: fleetKey, reason: 'webhook' } satisfies FetchJob);
const fleetState = async () =>
  (await getJson<FetchState>(h.plane.deps.store, stateKeys.fetchState(fleetKey))) as FetchState;

describe('a fetch that died before queuing its renders', () => {
  it('queues them on the next fetch, and not again on the fetches after it', async () => {
    await h.push({ 'apps/base/podinfo/extra.txt': 'a new revision\n' }, 'a new revision');
    const before = await fleetState();
    const outage = countingQueue(h.plane.deps.queue, h.plane.deps.queues.render, 1);
    const crashed = await rejectionOf(fetchFleet({ ...h.plane.deps, queue: outage }));
    expect(crashed.code).toBe('QueueUnavailable');
    const pending = await fleetState();
    expect(pending.generation).toBe(before.generation + 1);
    expect(pending.rendersPending).toBe(true);

    const first = countingQueue(h.plane.deps.queue, h.plane.deps.queues.render);
    expect(await fetchFleet({ ...h.plane.deps, queue: first })).toMatchObject({ changed: false });
    expect(first.renders).toBeGreaterThan(0);
    expect((await fleetState()).rendersPending).toBeUndefined();

    const second = countingQueue(h.plane.deps.queue, h.plane.deps.queues.render);
    expect(await fetchFleet({ ...h.plane.deps, queue: second })).toMatchObject({ changed: false });
    expect(second.renders).toBe(0);
    expect((await fleetState()).generation).toBe(before.generation + 1);
  });
});

describe('a render whose content did not change', () => {
  it('signs nothing and keeps the published artifact', async () => {
    const store = h.plane.deps.store;
    const revision = (await fleetState()).revision;
    await h.waitFor('apps rendered at the latest revision', async () => {
      const status = await getJson<RenderStatus>(store, stateKeys.renderStatus('dev', APPS.target));
      return status?.revision === revision || undefined;
    });
    const published = (await getJson<IndexEntry>(store, stateKeys.index('dev', APPS.target))) as IndexEntry;
    const keys = countingKeys(h.plane.deps.keys);
    const result = await renderJob({ ...h.plane.deps, keys }, APPS, fleetKey);
    expect(result).toEqual({ outcome: 'unchanged', digest: published.digest });
    expect(keys.signatures).toBe(0);
    expect(await getJson<IndexEntry>(store, stateKeys.index('dev', APPS.target))).toEqual(published);
  });

  it('signs it again only when its stored artifact is gone, and stores it again', async () => {
    const store = h.plane.deps.store;
    const published = (await getJson<IndexEntry>(store, stateKeys.index('dev', APPS.target))) as IndexEntry;
    const artifactKey = published.artifactKey as string;
    await store.delete(artifactKey);
    const keys = countingKeys(h.plane.deps.keys);
    const result = await renderJob({ ...h.plane.deps, keys }, APPS, fleetKey);
    expect(result).toEqual({ outcome: 'unchanged', digest: published.digest });
    expect(keys.signatures).toBe(1);
    expect(await store.list(artifactKey)).toEqual([artifactKey]);
  });
});

describe('a render over state of the earlier layout (no kind in the keys)', () => {
  it('reads the index entry and statuses where the earlier version kept them, and shows them', async () => {
    const store = h.plane.deps.store;
    const published = (await getJson<IndexEntry>(store, stateKeys.index('dev', APPS.target))) as IndexEntry;
    const { target: _target, ...earlier } = published;
    await store.delete(stateKeys.index('dev', APPS.target));
    await putJson(store, legacyKeys.index('dev', APPS.target) as string, {
      ...earlier,
      kustomization: { namespace: 'flux-system', name: 'apps' },
    });
    const viewed = kustomizationStatus(await h.status(), 'apps');
    expect(viewed?.artifact).toMatchObject({ digest: published.digest, target: APPS.target });

    // The same content is the same artifact at the same sequence: nothing new is published or signed.
    const keys = countingKeys(h.plane.deps.keys);
    expect(await renderJob({ ...h.plane.deps, keys }, APPS, fleetKey)).toEqual({
      outcome: 'unchanged',
      digest: published.digest,
    });
    expect(keys.signatures).toBe(0);
  });
});

describe('a record that is no record of this version', () => {
  it('shows as unreadable on its target in the status, naming the key; the rest of the status answers', async () => {
    const store = h.plane.deps.store;
    const key = stateKeys.renderStatus('dev', APPS.target);
    const before = await store.get(key);
    await putJson(store, key, { schemaVersion: 99 });
    try {
      const apps = kustomizationStatus(await h.status(), 'apps');
      expect(apps?.render).toBeUndefined();
      expect(apps?.unreadable?.[0]).toContain(key);
      expect(apps?.artifact).toBeDefined();
    } finally {
      if (before) await store.put(key, before);
    }
  });
});

describe('a render over an index entry written by a newer version', () => {
  it('fails with ConfigInvalid naming the key, and leaves the entry as it is', async () => {
    const store = h.plane.deps.store;
    const key = stateKeys.index('dev', APPS.target);
    const before = await store.get(key);
    const entry = await stateOf(h.plane.deps).getIndexEntry('dev', APPS.target);
    await putJson(store, key, { ...entry, schemaVersion: 99 });
    try {
      const err = await rejectionOf(renderJob(h.plane.deps, APPS, fleetKey));
      expect(err.code).toBe('ConfigInvalid');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain(key);
      expect(await getJson(store, key)).toMatchObject({ schemaVersion: 99 });
    } finally {
      await (before ? store.put(key, before) : store.delete(key));
    }
  });
});

describe('a render that fails in an outage', () => {
  it('records that a retry can help, so the scheduler renders it again at its retryInterval', async () => {
    const store = h.plane.deps.store;
    const published = (await stateOf(h.plane.deps).getIndexEntry('dev', APPS.target)) as IndexEntry;
    // Its stored artifact gone, the render must sign again, and the key service is down.
    await store.delete(published.artifactKey as string);
    const down: KeyService = {
      keyId: () => h.plane.deps.keys.keyId(),
      publicKeyPem: () => h.plane.deps.keys.publicKeyPem(),
      sign: () =>
        Promise.reject(
          new SluiceError(
            'KeyServiceUnavailable',
            'the signing key service is unreachable (simulated outage)',
            {
              retryable: true,
            },
          ),
        ),
    };
    const err = await rejectionOf(renderJob({ ...h.plane.deps, keys: down }, APPS, fleetKey));
    expect(err.code).toBe('KeyServiceUnavailable');
    expect(await stateOf(h.plane.deps).getRenderStatus('dev', APPS.target)).toMatchObject({
      ready: false,
      retryable: true,
    });
    // The outage over, the retry signs and the target is Ready again.
    expect(await renderJob(h.plane.deps, APPS, fleetKey)).toEqual({
      outcome: 'unchanged',
      digest: published.digest,
    });
    expect(await stateOf(h.plane.deps).getRenderStatus('dev', APPS.target)).toMatchObject({ ready: true });
  });
});
