// The webhook through the real HTTP API and the real local SQS/S3 server: a body that is JSON but not an
// object is a client error (400), and a replayed delivery queues one fetch, not one per replay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpApi, startHttpApi } from '../../embedded/http-api.ts';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.ts';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import type { FetchSpec } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { putJson } from '../../shared/ports/object-store.ts';
import { defaultQueueNames, type PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';

const SECRET = 'webhook-test-secret';
const REPO = 'https://git.example.com/team/app.git';
const queues = defaultQueueNames('hooks');
let dir: string;
let fauxqs: FauxqsHandle;
let api: HttpApi;
let deps: PipelineDeps;
let clock = Date.parse('2026-11-30T12:00:00Z');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-webhook-'));
  fauxqs = await startFauxqs({});
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: fauxqs.endpoint,
    credentials: fauxqs.credentials,
  });
  await ensureInfrastructure(clients, queues, [], 'hooks');
  // Only what the webhook touches: the store, the queue and a clock that moves on every read.
  deps = {
    store: new S3ObjectStore(clients.s3, 'hooks'),
    queue: new SqsQueue(clients.sqs),
    clock: { now: () => clock++ },
    log: silentLogger,
    queues,
    settings: { clusters: ['dev'], strictSubstitution: true, allowRemoteBases: false, snapshotsDir: dir },
  } as unknown as PipelineDeps;
  const spec: FetchSpec = {
    sourceKey: 'app-source',
    url: REPO,
    ref: { branch: 'main' },
    intervalMs: 60_000,
    declaredBy: 'GitRepository/flux-system/app',
  };
  await putJson(deps.store, stateKeys.fetchSpec(spec.sourceKey), spec);
  api = await startHttpApi({ deps, webhookSecret: SECRET, host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  await fauxqs?.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${api.url}/hooks/generic`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signBody(body, SECRET),
      ...headers,
    },
    body,
  });
}

/** Receives and acknowledges every fetch job queued so far; FIFO hands out one per group at a time. */
async function drainFetchJobs(): Promise<number> {
  let count = 0;
  for (;;) {
    const messages = await deps.queue.receive(queues.fetch, { maxMessages: 10, waitSeconds: 0 });
    if (messages.length === 0) return count;
    for (const m of messages) await deps.queue.ack(queues.fetch, m.receiptHandle);
    count += messages.length;
  }
}

describe('webhook bodies', () => {
  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"https://git.example.com/team/app.git"'],
    ['an array', `[{"repository": "${REPO}"}]`],
    ['an empty array', '[]'],
  ])('answers a signed body that is %s with 400, not 500', async (_what, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('not a JSON object');
  });

  it('still accepts a signed JSON object naming the repository', async () => {
    const res = await post(JSON.stringify({ repository: REPO, after: 'object-body' }));
    expect(res.status).toBe(202);
    expect(await drainFetchJobs()).toBe(1);
  });
});

describe('webhook deliveries', () => {
  it('queues one fetch for a delivery posted twice', async () => {
    await drainFetchJobs();
    const body = JSON.stringify({ repository: { clone_url: REPO }, after: 'a1' });
    const delivery = { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' };
    expect((await post(body, delivery)).status).toBe(202);
    expect((await post(body, delivery)).status).toBe(202);
    expect(await drainFetchJobs()).toBe(1);
  });

  it('queues one fetch for a replay that changed the unsigned delivery-id header', async () => {
    await drainFetchJobs();
    const body = JSON.stringify({ repository: REPO, after: 'b2' });
    expect((await post(body, { 'x-github-delivery': 'original' })).status).toBe(202);
    expect((await post(body, { 'x-github-delivery': 'forged-fresh-id' })).status).toBe(202);
    expect((await post(body)).status).toBe(202);
    expect(await drainFetchJobs()).toBe(1);
  });

  it('queues a fetch for each distinct delivery', async () => {
    await drainFetchJobs();
    expect((await post(JSON.stringify({ repository: REPO, after: 'c3' }))).status).toBe(202);
    expect((await post(JSON.stringify({ repository: REPO, after: 'c4' }))).status).toBe(202);
    expect(await drainFetchJobs()).toBe(2);
  });
});
