// The SQS and S3 adapters against the real local SQS/S3-compatible server (fauxqs on 127.0.0.1),
// including a restart with the same data directory: queued messages and objects survive.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.ts';
import { startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'sluice-fauxqs-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function connect() {
  const server = await startFauxqs({ dataDir });
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
  return {
    server,
    clients,
    queue: new SqsQueue(clients.sqs),
    store: new S3ObjectStore(clients.s3, 'sluice'),
  };
}

describe('SqsQueue and S3ObjectStore on the embedded server', () => {
  it('binds to loopback only', async () => {
    const { server } = await connect();
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await server.close();
  });

  it('delivers FIFO messages in group order, dedups, retries with a receive count, and persists across restarts', async () => {
    let { server, clients, queue, store } = await connect();
    await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: 'jobs.fifo',
        Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' },
      }),
    );
    await clients.s3.send(new CreateBucketCommand({ Bucket: 'sluice' }));
    await queue.send('jobs.fifo', { body: 'one', groupId: 'g', deduplicationId: 'd1' });
    await queue.send('jobs.fifo', { body: 'one again', groupId: 'g', deduplicationId: 'd1' });
    await queue.send('jobs.fifo', {
      body: 'two',
      groupId: 'g',
      deduplicationId: 'd2',
      attributes: { reason: 'test' },
    });
    await store.put('a/b.json', '{"x":1}', 'application/json');
    await server.close();

    ({ server, clients, queue, store } = await connect());
    expect((await store.get('a/b.json'))?.toString()).toBe('{"x":1}');
    expect(await store.get('missing')).toBeUndefined();
    expect(await store.list('a/')).toEqual(['a/b.json']);
    const [first] = await queue.receive('jobs.fifo', { maxMessages: 10 });
    expect(first?.body).toBe('one');
    expect(first?.receiveCount).toBe(1);
    // When the queue accepted it (SentTimestamp): the puller's queue lag is measured from it.
    expect(first?.sentAt).toBeGreaterThan(Date.parse('2020-01-01'));
    // Same group: nothing else until the first one is done.
    expect(await queue.receive('jobs.fifo', { maxMessages: 10 })).toEqual([]);
    await queue.retryLater('jobs.fifo', first?.receiptHandle ?? '', 1);
    const [again] = await queue.receive('jobs.fifo', { waitSeconds: 3 });
    expect(again?.body).toBe('one');
    expect(again?.receiveCount).toBe(2);
    await queue.ack('jobs.fifo', again?.receiptHandle ?? '');
    const [second] = await queue.receive('jobs.fifo');
    expect(second?.body).toBe('two');
    expect(second?.attributes).toEqual({ reason: 'test' });
    await queue.ack('jobs.fifo', second?.receiptHandle ?? '');
    expect(await queue.receive('jobs.fifo')).toEqual([]);
    await store.delete('a/b.json');
    expect(await store.get('a/b.json')).toBeUndefined();
    await server.close();
  });

  it('reports an unreachable server as a retryable error', async () => {
    const clients = createAwsClients({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const err = await new S3ObjectStore(clients.s3, 'sluice').get('x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'StoreUnavailable', retryable: true });
  });
});
