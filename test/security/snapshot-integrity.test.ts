// A store writer who replaces a snapshot's bytes must not get them rendered and signed: every load of a
// snapshot from the store is checked against the digest in its key, and the control plane stores it again.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packSnapshot, unpackSnapshot } from '../../shared/adapters/local/snapshot-bundle.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import type { FetchJob, RenderJob } from '../../shared/core/pipeline/jobs.ts';
import type { FetchState, RenderStatus } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { getJson, type ObjectStore, putJson } from '../../shared/ports/object-store.ts';
import { fetchSource } from '../../shared/usecases/fetch-source.ts';
import type { PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { fleetSourceKey } from '../../shared/usecases/register-fleet.ts';
import { renderJob } from '../../shared/usecases/render-job.ts';
import { type Harness, startHarness } from '../support/pipeline-harness.ts';

const PLANTED = 'Delivered by a store writer';
const APPS: RenderJob = {
  kind: 'render',
  cluster: 'dev',
  target: kustomizationTarget({ namespace: 'flux-system', name: 'apps' }),
};

let h: Harness;
let scratch: string;
let fleetKey: string;

beforeAll(async () => {
  h = await startHarness();
  await h.start();
  scratch = await mkdtemp(join(tmpdir(), 'sluice-snapshot-integrity-'));
  fleetKey = fleetSourceKey({ url: h.git.url('fleet'), branch: 'main', intervalMs: 0 });
  await h.waitFor('the fleet delivered', () => h.kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo'));
}, 60_000);

afterAll(async () => {
  await h?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const fetchState = async () =>
  (await getJson<FetchState>(h.plane.deps.store, stateKeys.fetchState(fleetKey))) as FetchState;

/** The pipeline as a render on another machine sees it (the cloud): no local copy, snapshots come from the store. */
async function elsewhere(): Promise<PipelineDeps> {
  const snapshotsDir = await mkdtemp(join(scratch, 'snapshots-'));
  return { ...h.plane.deps, settings: { ...h.plane.deps.settings, snapshotsDir } };
}

const renderElsewhere = async () => renderJob(await elsewhere(), APPS, fleetKey);
const failureOf = async (p: Promise<unknown>) =>
  (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as SluiceError;

/** Rewrites every stored snapshot: same key, the deployment's message replaced. */
async function tamperWithEverySnapshot(): Promise<string[]> {
  const store = h.plane.deps.store;
  const tampered: string[] = [];
  for (const [i, key] of (await store.list('snapshots/')).entries()) {
    const dir = join(scratch, `tamper-${Date.now()}-${i}`);
    await unpackSnapshot((await store.get(key)) as Buffer, dir);
    // Snapshots of the fleet repository; the example fleet's chart, built from it, is another.
    const file = join(dir, 'apps/base/podinfo/deployment.yaml');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    await writeFile(file, text.replace('Delivered by Sluice', PLANTED));
    await store.put(key, await packSnapshot(dir), 'application/gzip');
    tampered.push(key);
  }
  return tampered;
}

async function artifactsContaining(text: string): Promise<string[]> {
  const store = h.plane.deps.store;
  const found: string[] = [];
  for (const key of await store.list('artifacts/')) {
    if ((await store.get(key))?.toString('utf8').includes(text)) found.push(key);
  }
  return found;
}

describe('a snapshot is checked against its digest on every load from the store', () => {
  it('never renders or signs a snapshot whose stored bytes were replaced, and says why in status', async () => {
    const store = h.plane.deps.store;
    const indexBefore = await store.get(stateKeys.index('dev', APPS.target));
    expect(await tamperWithEverySnapshot()).not.toEqual([]);

    const err = await failureOf(renderElsewhere());
    expect(err).toBeInstanceOf(SluiceError);
    expect([err.code, err.retryable]).toEqual(['SnapshotCorrupt', false]);
    expect(await artifactsContaining(PLANTED)).toEqual([]);
    expect(await store.get(stateKeys.index('dev', APPS.target))).toEqual(indexBefore);

    // The message is the point here: which source, what is wrong, what happens next.
    const status = await getJson<RenderStatus>(store, stateKeys.renderStatus('dev', APPS.target));
    expect(status?.ready).toBe(false);
    expect(status?.reason).toBe('ArtifactFailed');
    expect(status?.message).toContain(h.git.url('fleet'));
    expect(status?.message).toContain('does not match its digest');
    expect(status?.message).toContain('fetched to store it again');
  });

  it('stores the snapshot again from the source, so the next render publishes the commit as fetched', async () => {
    const result = await h.waitFor('a render from the store succeeds again', () =>
      renderElsewhere().catch(() => undefined),
    );
    expect(['published', 'unchanged']).toContain(result.outcome);
    expect(await artifactsContaining(PLANTED)).toEqual([]);
    const state = await fetchState();
    expect(state.error).toBeUndefined();
    // Stored under the digest of its bytes: anyone can check a snapshot with sha256sum.
    const stored = (await h.plane.deps.store.get(stateKeys.snapshot(state.bundleDigest as string))) as Buffer;
    expect(sha256(stored)).toBe(state.bundleDigest);
  });

  it('refuses a stored snapshot that is not a snapshot at all, without parsing it', async () => {
    const store = h.plane.deps.store;
    for (const key of await store.list('snapshots/')) await store.put(key, 'not gzip', 'application/gzip');
    const err = await failureOf(renderElsewhere());
    expect([err.code, err.retryable]).toEqual(['SnapshotCorrupt', false]);
    await h.waitFor('stored again', () => renderElsewhere().catch(() => undefined));
  });

  it('stores a deleted snapshot again instead of failing every render until the next commit', async () => {
    const store = h.plane.deps.store;
    for (const key of await store.list('snapshots/')) await store.delete(key);
    const err = await failureOf(renderElsewhere());
    expect([err.code, err.retryable]).toEqual(['StoreUnavailable', true]);
    await h.waitFor('stored again', () => renderElsewhere().catch(() => undefined));
  });

  it('does not render from the store a snapshot stored before bundles had digests; the next fetch stores it again', async () => {
    const store = h.plane.deps.store;
    const state = await fetchState();
    // What an earlier version wrote: the snapshot under its identity, the state without a bundle digest.
    const { bundleDigest: _, ...legacy } = state;
    const legacyKey = `snapshots/${(state.snapshotDigest as string).replace(/^sha256:/, '')}.json.gz`;
    await tamperWithEverySnapshot();
    await store.put(legacyKey, (await store.get(stateKeys.snapshot(state.bundleDigest as string))) as Buffer);
    await putJson(store, stateKeys.fetchState(fleetKey), legacy);

    const err = await failureOf(renderElsewhere());
    expect([err.code, err.retryable]).toEqual(['GitFetchFailed', true]);
    expect(await artifactsContaining(PLANTED)).toEqual([]);
    const result = await h.waitFor('stored again by the next fetch', () =>
      renderElsewhere().catch(() => undefined),
    );
    expect(['published', 'unchanged']).toContain(result.outcome);
    expect(await artifactsContaining(PLANTED)).toEqual([]);
    expect((await fetchState()).generation).toBe(state.generation);
  });

  it('ends in a permanent SnapshotCorrupt on the source when the store keeps altering what is written', async () => {
    const real = h.plane.deps.store;
    // A store that appends a byte to every snapshot written: a repair cannot take, so it must not loop.
    const altering: ObjectStore = {
      put: (key, body, type) =>
        real.put(
          key,
          key.startsWith('snapshots/') ? Buffer.concat([Buffer.from(body), Buffer.from('!')]) : body,
          type,
        ),
      get: (key) => real.get(key),
      list: (prefix) => real.list(prefix),
      delete: (key) => real.delete(key),
    };
    await tamperWithEverySnapshot();
    const repair: FetchJob = { kind: 'fetch', sourceKey: fleetKey, reason: 'repair' };
    const err = await failureOf(fetchSource({ ...h.plane.deps, store: altering }, repair));
    expect([err.code, err.retryable]).toEqual(['SnapshotCorrupt', false]);
    expect((await fetchState()).error?.code).toBe('SnapshotCorrupt');

    // With a store that keeps what it is given, the source's next fetch (here its interval) heals it.
    await fetchSource(h.plane.deps, { ...repair, reason: 'schedule' });
    const healed = await fetchState();
    expect(healed.error).toBeUndefined();
    const stored = (await real.get(stateKeys.snapshot(healed.bundleDigest as string))) as Buffer;
    expect(sha256(stored)).toBe(healed.bundleDigest);
    await h.waitFor('renders again', () => renderElsewhere().catch(() => undefined));
    expect(await artifactsContaining(PLANTED)).toEqual([]);
  });
});
