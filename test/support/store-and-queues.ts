// The real local SQS/S3 server (fauxqs) with a pipeline's queues and bucket, and the part of PipelineDeps
// that the queue-and-store use-cases read (store, queue, clock, log, queue names, settings).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.ts';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { LocalDataKeys } from '../../shared/adapters/local/local-data-keys.ts';
import { gzipSnapshotBundler } from '../../shared/adapters/local/snapshot-bundle.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import type { ReceivedMessage } from '../../shared/ports/queue.ts';
import { defaultQueueNames, type PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';

export interface StoreAndQueues {
  server: FauxqsHandle;
  clients: ReturnType<typeof createAwsClients>;
  /** git, keys and render are absent: a use-case that reaches for them fails loudly. */
  deps: PipelineDeps;
  /** Takes every message off a queue (acknowledging each), FIFO groups one after the other. */
  drain(queue: string): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

/** `prefix` names the queues and the bucket, so it must be a valid bucket name (3+ characters). */
export async function startStoreAndQueues(prefix: string, clusters = ['dev']): Promise<StoreAndQueues> {
  const server = await startFauxqs({});
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
  const queues = defaultQueueNames(prefix);
  await ensureInfrastructure(clients, queues, clusters, prefix);
  // A clock that moves on every read, as time does between two calls.
  let now = Date.parse('2026-11-30T12:00:00Z');
  const deps = {
    store: new S3ObjectStore(clients.s3, prefix),
    queue: new SqsQueue(clients.sqs),
    snapshots: gzipSnapshotBundler,
    dataKeys: new LocalDataKeys(join(mkdtempSync(join(tmpdir(), 'sluice-data-key-')), 'key')),
    clock: { now: () => now++ },
    log: silentLogger,
    queues,
    settings: { clusters, strictSubstitution: true, allowRemoteBases: false, snapshotsDir: '/nonexistent' },
  } as unknown as PipelineDeps;
  return {
    server,
    clients,
    deps,
    async drain(queue) {
      const all: ReceivedMessage[] = [];
      for (;;) {
        const batch = await deps.queue.receive(queue, { maxMessages: 10 });
        if (batch.length === 0) return all;
        for (const m of batch) await deps.queue.ack(queue, m.receiptHandle);
        all.push(...batch);
      }
    },
    async close() {
      clients.sqs.destroy();
      clients.s3.destroy();
      clients.kms.destroy();
      await server.close();
    },
  };
}
