// An SQS-triggered function (sqsFunction → processSqsBatch) fed real batches from the local SQS server by the
// event-source stand-in: only retryable failures are reported back (SQS redelivers them, after a backoff);
// permanent failures and messages that are no job are dead-lettered and not reported; a FIFO group
// stops at its first reported failure so its order holds.
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { processSqsBatch } from '../../functions/middleware/sqs-batch.ts';
import { sqsFunction } from '../../functions/middleware/sqs-function.ts';
import type { CloudDeps } from '../../shared/config/create-cloud-deps.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import { encodeJob } from '../../shared/core/pipeline/jobs.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import type { ReceivedMessage } from '../../shared/ports/queue.ts';
import { pollOnce, type SqsHandler } from '../support/sqs-event-source.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

let env: StoreAndQueues;
let QUEUE: string;
let DLQ: string;
let handled: string[] = [];
let sent = 0;

beforeAll(async () => {
  env = await startStoreAndQueues('batch');
  QUEUE = env.deps.queues.render;
  DLQ = env.deps.queues.deadLetter(QUEUE);
});
afterAll(() => env?.close());
beforeEach(async () => {
  handled = [];
  await env.drain(QUEUE);
  await env.drain(DLQ);
});

/** A render function whose use-case succeeds or fails as the Kustomization's name says. */
const renderFn = sqsFunction(
  () => ({ pipeline: env.deps }) as unknown as CloudDeps,
  'render',
  async (_deps, job) => {
    const name = job.target.name;
    handled.push(name);
    if (name.startsWith('flaky'))
      throw new SluiceError('StoreUnavailable', 'store down', { retryable: true });
    if (name.startsWith('broken')) throw new SluiceError('BuildFailed', 'kustomize build failed');
    if (name.startsWith('crash')) throw new TypeError('x is undefined');
  },
) as unknown as SqsHandler;

/** Queues a render job (or a raw body) in a message group; returns the body. */
async function send(name: string, group = name, body?: string): Promise<string> {
  const text =
    body ??
    encodeJob({
      kind: 'render',
      cluster: 'dev',
      target: kustomizationTarget({ namespace: 'flux-system', name }),
    });
  await env.deps.queue.send(QUEUE, { body: text, groupId: group, deduplicationId: `m${++sent}` });
  return text;
}

/** The ids pollOnce reported as failed, mapped back to the messages' Kustomization names. */
async function pollFailures(
  handler: SqsHandler = renderFn,
): Promise<{ delivered: number; failed: string[] }> {
  const bodies = new Map<string, string>();
  const { delivered, failed } = await pollOnce(env.clients.sqs, QUEUE, (event, ...rest) => {
    for (const r of event.Records) bodies.set(r.messageId, r.body);
    return handler(event, ...rest);
  });
  const nameOf = (id: string) => {
    const body = bodies.get(id) ?? '';
    return (JSON.parse(body) as { target: { name: string } }).target.name;
  };
  return { delivered, failed: failed.map(nameOf).sort() };
}

/** Waits up to `seconds` for the message with this body, acknowledging any other that comes back. */
async function receiveAgain(body: string, seconds: number): Promise<ReceivedMessage | undefined> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    for (const m of await env.deps.queue.receive(QUEUE, { maxMessages: 10, waitSeconds: 1 })) {
      await env.deps.queue.ack(QUEUE, m.receiptHandle);
      if (m.body === body) return m;
    }
  }
  return undefined;
}

/** The same function, as on the fifth delivery of every message (out of attempts). */
const onLastAttempt: SqsHandler = (event: SQSEvent, ...rest) =>
  renderFn(
    {
      Records: event.Records.map((r) => ({
        ...r,
        attributes: { ...r.attributes, ApproximateReceiveCount: '5' },
      })),
    },
    ...rest,
  );

describe('an SQS function', () => {
  it('reports only the failed message ids of a batch; the others are handled and deleted', async () => {
    await send('ok-1');
    await send('flaky-1');
    await send('ok-2');
    expect(await pollFailures()).toEqual({ delivered: 3, failed: ['flaky-1'] });
    expect(handled.sort()).toEqual(['flaky-1', 'ok-1', 'ok-2']);
    expect(await env.drain(DLQ)).toEqual([]);
  });

  it('brings a retryable failure back after its backoff, not after the whole visibility timeout', async () => {
    const body = await send('flaky-2');
    expect((await pollFailures()).failed).toEqual(['flaky-2']);
    // The queue's visibility timeout is 120 s; the first backoff is 2 s.
    expect(await receiveAgain(body, 5)).toMatchObject({ body, receiveCount: 2 });
  });

  it('dead-letters a permanent failure with its code and does not report it', async () => {
    const body = await send('broken-1');
    await send('ok-3');
    expect(await pollFailures()).toEqual({ delivered: 2, failed: [] });
    const dead = await env.drain(DLQ);
    expect(dead).toEqual([
      expect.objectContaining({
        body,
        attributes: expect.objectContaining({ code: 'BuildFailed', sourceQueue: QUEUE, attempts: '1' }),
      }),
    ]);
    expect(await env.drain(QUEUE)).toEqual([]);
  });

  it('dead-letters a retryable failure out of attempts, and does not report it', async () => {
    const flaky = await send('flaky-3');
    const crash = await send('crash-1');
    expect(await pollFailures(onLastAttempt)).toEqual({ delivered: 2, failed: [] });
    const dead = await env.drain(DLQ);
    expect(dead.map((m) => [m.body, m.attributes.code, m.attributes.attempts]).sort()).toEqual(
      [
        [flaky, 'StoreUnavailable', '5'],
        [crash, 'InternalError', '5'],
      ].sort(),
    );
  });

  it.each([
    ['not JSON', '{"kind":'],
    ['of an unknown kind', '{"kind":"deploy"}'],
  ])('dead-letters a message that is %s without calling the use-case', async (_case, raw) => {
    await send('poison', 'poison', raw);
    const { delivered, failed } = await pollOnce(env.clients.sqs, QUEUE, renderFn);
    expect({ delivered, failed }).toEqual({ delivered: 1, failed: [] });
    expect(handled).toEqual([]);
    const [dead] = await env.drain(DLQ);
    expect(dead).toMatchObject({ body: raw, attributes: { code: 'InvalidJob', attempts: '1' } });
  });

  it('dead-letters a job of another kind than its queue carries, on its first attempt', async () => {
    const body = encodeJob({ kind: 'fetch', sourceKey: 'abc', reason: 'webhook' });
    await send('misrouted', 'misrouted', body);
    const { failed } = await pollOnce(env.clients.sqs, QUEUE, renderFn);
    expect(failed).toEqual([]);
    expect(handled).toEqual([]);
    const [dead] = await env.drain(DLQ);
    expect(dead).toMatchObject({ body, attributes: { code: 'InvalidJob', attempts: '1' } });
  });

  it('reports the rest of a FIFO group after its first retryable failure, without handling them', async () => {
    // SQS hands out several messages of a group in one batch (the local server one at a time), so this
    // batch is built as Lambda would deliver it; receipt handles are never used on this path but to back off.
    const record = (name: string, group: string): SQSRecord => ({
      messageId: `id-${name}`,
      receiptHandle: `handle-${name}`,
      body: encodeJob({
        kind: 'render',
        cluster: 'dev',
        target: kustomizationTarget({ namespace: 'flux-system', name }),
      }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: group,
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`,
      awsRegion: 'us-east-1',
    });
    const event: SQSEvent = {
      Records: [record('flaky-4', 'a'), record('ok-4', 'b'), record('ok-5', 'a'), record('broken-2', 'a')],
    };
    const response = await processSqsBatch(
      event,
      { queue: env.deps.queue, log: env.deps.log, deadLetterQueue: env.deps.queues.deadLetter },
      async (job) => {
        const name = job.kind === 'render' ? job.target.name : '';
        handled.push(name);
        if (name.startsWith('flaky'))
          throw new SluiceError('StoreUnavailable', 'store down', { retryable: true });
      },
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'id-flaky-4' },
      { itemIdentifier: 'id-ok-5' },
      { itemIdentifier: 'id-broken-2' },
    ]);
    expect(handled).toEqual(['flaky-4', 'ok-4']);
    expect(await env.drain(DLQ)).toEqual([]);
  });
});
