// A job that never finishes (a commit crafted to hang a render) must not hold its queue forever: the
// worker's heartbeat stops extending it at the job timeout, so it is delivered again and, out of attempts,
// dead-lettered. Against the real local SQS-compatible server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkerLoop } from '../../embedded/worker-loop.ts';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.ts';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { encodeJob } from '../../shared/core/pipeline/jobs.ts';
import { silentLogger } from '../../shared/ports/logger.ts';

let dataDir: string;
let server: FauxqsHandle;
let queue: SqsQueue;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-bounded-'));
  server = await startFauxqs({ dataDir });
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: server.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queue = new SqsQueue(clients.sqs);
  for (const name of ['hang', 'hang-dlq'])
    await clients.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '2' } }),
    );
});

afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the worker heartbeat', () => {
  it('stops extending a job past its timeout, so the job is delivered again', async () => {
    await queue.send('hang', { body: encodeJob({ kind: 'fetch', sourceKey: 'stuck', reason: 'schedule' }) });
    const stop = new AbortController();
    const deliveries: number[] = [];
    // Two consumers, as two function instances would be: the first is stuck in the job it holds.
    const loops = [1, 2].map(() =>
      runWorkerLoop({
        queue,
        queueName: 'hang',
        deadLetterQueue: 'hang-dlq',
        log: silentLogger,
        signal: stop.signal,
        waitSeconds: 1,
        visibilitySeconds: 2,
        jobTimeoutSeconds: 2,
        batch: 1,
        // A job that never returns: only the heartbeat decides when its message shows up again.
        handle: () => {
          deliveries.push(Date.now());
          return deliveries.length === 1 ? new Promise(() => undefined) : Promise.resolve();
        },
      }),
    );
    for (let i = 0; i < 100 && deliveries.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    stop.abort();
    await Promise.race([loops[1], new Promise((r) => setTimeout(r, 3000))]);
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
  });
});
