// The scheduler tick against the real local SQS/S3 server: due sources are queued once per interval
// window, sources still inside their interval or used by no Kustomization are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.ts';
import { startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import type { FetchSpec, FetchState } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { putJson } from '../../shared/ports/object-store.ts';
import { defaultQueueNames, type PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { jitterMs, scheduleSources } from '../../shared/usecases/schedule-sources.ts';

let server: Awaited<ReturnType<typeof startFauxqs>>;
let deps: PipelineDeps;
let now = Date.parse('2026-11-22T10:00:00Z');
const queues = defaultQueueNames('sched');

beforeAll(async () => {
  server = await startFauxqs({});
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
  await ensureInfrastructure(clients, queues, [], 'sched');
  deps = {
    store: new S3ObjectStore(clients.s3, 'sched'),
    queue: new SqsQueue(clients.sqs),
    clock: { now: () => now },
    log: silentLogger,
    queues,
    settings: { clusters: ['dev'], strictSubstitution: true, allowRemoteBases: false, snapshotsDir: '/tmp' },
  } as unknown as PipelineDeps;
  const spec = (sourceKey: string): FetchSpec => ({
    sourceKey,
    url: `https://git.example.com/${sourceKey}.git`,
    intervalMs: 60_000,
    declaredBy: sourceKey,
  });
  for (const key of ['fresh', 'stale', 'unused'])
    await putJson(deps.store, stateKeys.fetchSpec(key), spec(key));
  // A spec that is none (not written by Sluice): left out, and the other sources still scheduled.
  await putJson(deps.store, stateKeys.fetchSpec('aaa-broken'), { url: 7 });
  for (const key of ['fresh', 'stale'])
    await deps.store.put(
      stateKeys.fetchUser(key, 'dev', kustomizationTarget({ namespace: 'flux-system', name: key })),
      '',
    );
  const state = (sourceKey: string, ago: number): FetchState => ({
    sourceKey,
    generation: 1,
    lastAttemptAt: new Date(now - ago).toISOString(),
  });
  await putJson(deps.store, stateKeys.fetchState('fresh'), state('fresh', 10_000));
  await putJson(
    deps.store,
    stateKeys.fetchState('stale'),
    state('stale', 60_000 + jitterMs('stale', 60_000) + 1),
  );
});

afterAll(async () => {
  await server?.close();
});

describe('scheduleSources', () => {
  it('queues only sources whose interval elapsed and that something still uses', async () => {
    expect(await scheduleSources(deps)).toEqual(['stale']);
    const messages = await deps.queue.receive(queues.fetch, { maxMessages: 10 });
    expect(messages.map((m) => JSON.parse(m.body))).toEqual([
      { kind: 'fetch', sourceKey: 'stale', reason: 'schedule' },
    ]);
    for (const m of messages) await deps.queue.ack(queues.fetch, m.receiptHandle);
  });

  it('queues a due source once per interval window however often it ticks (FIFO deduplication)', async () => {
    now += 1000;
    expect(await scheduleSources(deps)).toEqual(['stale']);
    expect(await deps.queue.receive(queues.fetch, { maxMessages: 10 })).toEqual([]);
  });
});
