// processMessage against the real local SQS server: success acknowledges; a retryable failure comes back
// after its backoff; a permanent failure, one out of attempts, or a message that is no job goes to the
// dead-letter queue with its code, reason and attempts, and leaves the source queue. Nothing is dropped.
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../shared/core/errors.ts';
import { encodeJob, type Job, type RenderJob } from '../../shared/core/pipeline/jobs.ts';
import type { RetryPolicy } from '../../shared/core/pipeline/retry-policy.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import type { ReceivedMessage } from '../../shared/ports/queue.ts';
import { type ProcessDeps, processMessage } from '../../shared/usecases/process-message.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

let env: StoreAndQueues;
let QUEUE: string;
let DLQ: string;
let groups = 0;
// One-second backoff, two attempts: a retry comes back within the test's patience.
const FAST: RetryPolicy = { maxAttempts: 2, baseDelaySeconds: 1, maxDelaySeconds: 1 };

beforeAll(async () => {
  env = await startStoreAndQueues('process');
  QUEUE = env.deps.queues.render;
  DLQ = env.deps.queues.deadLetter(QUEUE);
});
afterAll(() => env?.close());

const deps = (retry: RetryPolicy = FAST): ProcessDeps => ({
  queue: env.deps.queue,
  log: env.deps.log,
  deadLetterQueue: DLQ,
  retry,
});

/** Sends a message in a group of its own and receives it, as a worker would. */
async function deliver(body: string): Promise<ReceivedMessage> {
  const group = `g${++groups}`;
  await env.deps.queue.send(QUEUE, { body, groupId: group, deduplicationId: group });
  const [message] = await env.deps.queue.receive(QUEUE, { waitSeconds: 1 });
  if (!message) throw new Error('the message did not arrive');
  return message;
}

const job = (name: string): RenderJob => ({
  kind: 'render',
  cluster: 'dev',
  target: kustomizationTarget({ namespace: 'flux-system', name }),
});

/** Messages still on a queue, visible or in flight: 0 once every one was acknowledged. */
async function remaining(queue: string): Promise<number> {
  const { QueueUrl } = await env.clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
  const { Attributes = {} } = await env.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

const failWith = (err: unknown) => async () => {
  throw err;
};

describe('processMessage', () => {
  it('hands the decoded job to the handler and acknowledges it on success', async () => {
    const handled: Job[] = [];
    const message = await deliver(encodeJob(job('web')));
    const outcome = await processMessage(deps(), QUEUE, message, async (j) => {
      handled.push(j);
    });
    expect(outcome).toBe('done');
    expect(handled).toEqual([job('web')]);
    expect(await remaining(QUEUE)).toBe(0);
    expect(await env.drain(DLQ)).toEqual([]);
  });

  it('brings a retryable failure back after its backoff, then dead-letters it once out of attempts', async () => {
    const failure = new SluiceError('StoreUnavailable', 'store down', { retryable: true });
    const body = encodeJob(job('flaky'));
    const first = await deliver(body);
    expect(await processMessage(deps(), QUEUE, first, failWith(failure))).toBe('retry');
    // Not at once: it waits out its backoff before anyone can receive it again.
    expect(await env.deps.queue.receive(QUEUE)).toEqual([]);
    expect(await env.drain(DLQ)).toEqual([]);

    const [second] = await env.deps.queue.receive(QUEUE, { waitSeconds: 3 });
    expect(second).toMatchObject({ body, receiveCount: 2 });
    expect(await processMessage(deps(), QUEUE, second as ReceivedMessage, failWith(failure))).toBe(
      'dead-letter',
    );
    const [dead] = await env.drain(DLQ);
    expect(dead).toMatchObject({
      body,
      attributes: { code: 'StoreUnavailable', sourceQueue: QUEUE, attempts: '2', reason: 'store down' },
    });
    expect(await remaining(QUEUE)).toBe(0);
  });

  it('dead-letters a permanent failure on its first attempt, with its code, reason and attempts', async () => {
    const body = encodeJob(job('broken'));
    const message = await deliver(body);
    const failure = new SluiceError('BuildFailed', 'kustomize build failed', { retryable: false });
    expect(await processMessage(deps(), QUEUE, message, failWith(failure))).toBe('dead-letter');
    expect(await env.drain(DLQ)).toEqual([
      expect.objectContaining({
        body,
        attributes: {
          code: 'BuildFailed',
          reason: 'kustomize build failed',
          sourceQueue: QUEUE,
          attempts: '1',
        },
      }),
    ]);
    expect(await remaining(QUEUE)).toBe(0);
  });

  it('treats an unknown error as transient, and dead-letters it as InternalError once out of attempts', async () => {
    const message = await deliver(encodeJob(job('unknown')));
    const once: RetryPolicy = { ...FAST, maxAttempts: 1 };
    expect(await processMessage(deps(once), QUEUE, message, failWith(new TypeError('x is undefined')))).toBe(
      'dead-letter',
    );
    const [dead] = await env.drain(DLQ);
    expect(dead?.attributes).toMatchObject({ code: 'InternalError', attempts: '1' });
  });

  it('keeps at most 1000 characters of a long reason', async () => {
    const message = await deliver(encodeJob(job('verbose')));
    const failure = new SluiceError('BuildFailed', 'x'.repeat(5000));
    await processMessage(deps(), QUEUE, message, failWith(failure));
    const [dead] = await env.drain(DLQ);
    expect(dead?.attributes.reason).toHaveLength(1000);
  });

  it.each([
    ['not JSON', '{"kind": "render",'],
    ['JSON of an unknown kind', '{"kind":"deploy"}'],
    ['a render job without its cluster', '{"kind":"render","kustomization":{"namespace":"a","name":"b"}}'],
    ['a fetch job without its source', '{"kind":"fetch","reason":"webhook"}'],
  ])('dead-letters a message that is %s without calling the handler or retrying it', async (_case, body) => {
    let called = false;
    const message = await deliver(body);
    const outcome = await processMessage(deps(), QUEUE, message, async () => {
      called = true;
    });
    expect(outcome).toBe('dead-letter');
    expect(called).toBe(false);
    const [dead] = await env.drain(DLQ);
    expect(dead).toMatchObject({
      body,
      attributes: { code: 'InvalidJob', attempts: '1', sourceQueue: QUEUE },
    });
    expect(await remaining(QUEUE)).toBe(0);
  });
});

describe('processMessage on a queue of one kind', () => {
  it('dead-letters a job of another kind as InvalidJob on its first attempt, without calling the handler', async () => {
    const body = encodeJob({ kind: 'fetch', sourceKey: 'abc', reason: 'webhook' });
    let called = false;
    const outcome = await processMessage(
      { ...deps(), kind: 'render' },
      QUEUE,
      await deliver(body),
      async () => {
        called = true;
      },
    );
    expect(outcome).toBe('dead-letter');
    expect(called).toBe(false);
    const [dead] = await env.drain(DLQ);
    expect(dead).toMatchObject({
      body,
      attributes: { code: 'InvalidJob', attempts: '1', sourceQueue: QUEUE },
    });
    expect(await remaining(QUEUE)).toBe(0);
  });
});
