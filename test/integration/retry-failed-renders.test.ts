// The scheduler tick against the real local SQS/S3 server: a target whose render failed, its queue retries
// spent, is rendered again at its retryInterval (a permanent failure at its interval), once per window;
// a Ready, suspended or withdrawn target is not.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { FetchState, KustomizationRecord, RenderStatus } from '../../shared/core/pipeline/records.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import type { PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { scheduleSources } from '../../shared/usecases/schedule-sources.ts';
import { type StateStore, stateOf } from '../../shared/usecases/state-store.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

const SOURCE = 'apps-source';
const FAILED_AT = Date.parse('2026-11-30T10:00:00Z');
const INTERVAL = 10 * 60_000;
const RETRY_INTERVAL = 2 * 60_000;
let world: StoreAndQueues;
let deps: PipelineDeps;
let store: StateStore;
let now = FAILED_AT;

const target = (name: string) => kustomizationTarget({ namespace: 'flux-system', name });

/** A declared Kustomization rendering from SOURCE, with its interval, retryInterval and suspend. */
async function declare(name: string, spec: { retryIntervalMs?: number; suspend?: boolean } = {}) {
  const record = {
    cluster: 'dev',
    kustomization: {
      kind: 'Kustomization',
      metadata: { namespace: 'flux-system', name },
      spec: { intervalMs: INTERVAL, suspend: false, ...spec },
    },
    sourceKey: SOURCE,
    parent: null,
  } as unknown as KustomizationRecord;
  await store.putTargetRecord(record);
  await store.subscribe(SOURCE, 'dev', target(name));
}

/** Its last render, as the render job records it once the queue has given up on it. */
const rendered = (name: string, over: Partial<RenderStatus>): Promise<void> =>
  store.putRenderStatus('dev', {
    target: target(name),
    ready: false,
    reason: 'ArtifactFailed',
    message: `Kustomization/flux-system/${name}: the store is unreachable`,
    warnings: [],
    at: new Date(FAILED_AT).toISOString(),
    ...over,
  });

/** One scheduler tick at `at`; the names of the targets whose renders are now queued (the queue drained). */
async function tickAt(at: number): Promise<string[]> {
  now = at;
  await scheduleSources(deps);
  const names: string[] = [];
  for (;;) {
    const messages = await deps.queue.receive(deps.queues.render, { maxMessages: 10, waitSeconds: 0 });
    if (messages.length === 0) break;
    for (const m of messages) {
      const job = decodeJob(m.body);
      if (job.kind === 'render') names.push(job.target.name);
      await deps.queue.ack(deps.queues.render, m.receiptHandle);
    }
  }
  return names.sort();
}

beforeAll(async () => {
  world = await startStoreAndQueues('retry');
  // The scheduler's time is the test's: each tick runs at the moment it names.
  deps = { ...world.deps, clock: { now: () => now } };
  store = stateOf(deps);
  // The source is suspended by its declarer, so no tick fetches it: only retries reach the render queue.
  await store.putFetchSpec({
    sourceKey: SOURCE,
    url: 'https://git.example.com/apps.git',
    intervalMs: INTERVAL,
  });
  await store.putDeclarer(SOURCE, {
    cluster: 'dev',
    namespace: 'flux-system',
    name: 'apps',
    intervalMs: INTERVAL,
    suspended: true,
  } as Parameters<StateStore['putDeclarer']>[1]);
  await store.putFetchState({
    sourceKey: SOURCE,
    generation: 1,
    lastAttemptAt: new Date(FAILED_AT).toISOString(),
  } as FetchState);
});

afterAll(async () => {
  await world?.close();
});

describe('a failed render after its queue retries are spent', () => {
  beforeEach(async () => {
    for (const name of ['outage', 'broken', 'healthy', 'paused', 'gone'])
      await store.deleteRenderStatus('dev', target(name));
  });

  it('is queued again at its retryInterval when it failed retryably, and not before', async () => {
    await declare('outage', { retryIntervalMs: RETRY_INTERVAL });
    await rendered('outage', { retryable: true });
    expect(await tickAt(FAILED_AT + RETRY_INTERVAL - 1)).toEqual([]);
    expect(await tickAt(FAILED_AT + RETRY_INTERVAL)).toEqual(['outage']);
  });

  it('is queued once per retry window however often the scheduler ticks', async () => {
    await declare('outage', { retryIntervalMs: RETRY_INTERVAL });
    await rendered('outage', { retryable: true });
    const start = 10 * RETRY_INTERVAL * Math.ceil((FAILED_AT + RETRY_INTERVAL) / (10 * RETRY_INTERVAL));
    expect(await tickAt(start)).toEqual(['outage']);
    expect(await tickAt(start + 60_000)).toEqual([]);
    // The next window, its render not having run yet: queued again.
    expect(await tickAt(start + RETRY_INTERVAL)).toEqual(['outage']);
  });

  it('is queued again at its interval when it has no retryInterval', async () => {
    await declare('outage');
    await rendered('outage', { retryable: true });
    expect(await tickAt(FAILED_AT + RETRY_INTERVAL)).toEqual([]);
    expect(await tickAt(FAILED_AT + INTERVAL)).toEqual(['outage']);
  });

  it('is queued again at its interval, not its retryInterval, when the failure was permanent', async () => {
    await declare('broken', { retryIntervalMs: RETRY_INTERVAL });
    await rendered('broken', { reason: 'BuildFailed', retryable: false });
    expect(await tickAt(FAILED_AT + RETRY_INTERVAL)).toEqual([]);
    expect(await tickAt(FAILED_AT + INTERVAL)).toEqual(['broken']);
  });

  it('is not queued again when its target is Ready, suspended or withdrawn', async () => {
    await declare('healthy', { retryIntervalMs: RETRY_INTERVAL });
    await rendered('healthy', { ready: true, reason: 'ReconciliationSucceeded' });
    await declare('paused', { retryIntervalMs: RETRY_INTERVAL, suspend: true });
    await rendered('paused', { retryable: true });
    // Withdrawn by its parent: the record is gone, its subscription and failed status linger.
    await store.subscribe(SOURCE, 'dev', target('gone'));
    await rendered('gone', { retryable: true });
    // Beside them, one failed by an outage: the tick did look at this source's targets.
    await declare('outage', { retryIntervalMs: RETRY_INTERVAL });
    await rendered('outage', { retryable: true });
    expect(await tickAt(FAILED_AT + 3 * INTERVAL)).toEqual(['outage']);
  });

  it('is found by its failure marker, which its next Ready render removes', async () => {
    await declare('outage', { retryIntervalMs: RETRY_INTERVAL });
    await rendered('outage', { retryable: true });
    expect((await store.listFailedTargets('dev')).map((t) => t.name)).toEqual(['outage']);

    await rendered('outage', { ready: true, reason: 'ReconciliationSucceeded' });

    expect(await store.listFailedTargets('dev')).toEqual([]);
    expect(await tickAt(FAILED_AT + 3 * INTERVAL)).toEqual([]);
  });
});
