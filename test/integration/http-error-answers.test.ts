// The embedded HTTP API and the Lambda webhook answer errors from data: a bad signature 401, a bad body
// 400 with its message, a store outage 503 and anything unexpected 500, those two with a generic text and
// the error's code only. Internal text (here a corrupt record's bytes) never reaches the caller.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpApi, startHttpApi } from '../../embedded/http-api.ts';
import { createWebhookHandler } from '../../functions/webhook.ts';
import type { CloudDeps } from '../../shared/config/create-cloud-deps.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import { lambdaContext } from '../support/sqs-event-source.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

const SECRET = 'webhook-secret';
const INTERNAL = 's3cr3t';
const body = JSON.stringify({ repository: 'https://git.example.com/fleet.git' });

let env: StoreAndQueues;
let api: HttpApi;
const webhook = createWebhookHandler(
  () => ({ pipeline: env.deps, config: { webhookSecret: SECRET } }) as unknown as CloudDeps,
);

beforeAll(async () => {
  env = await startStoreAndQueues('http-errors');
  api = await startHttpApi({ deps: env.deps, webhookSecret: SECRET, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

async function postEmbedded(
  text: string,
  secret = SECRET,
): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${api.url}/hooks/generic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(text, secret) },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function postLambda(
  text: string,
  secret = SECRET,
): Promise<{ status: number; body: Record<string, string> }> {
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(text, secret) },
    requestContext: { http: { method: 'POST', path: '/' } },
    body: text,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const res = (await webhook(event, lambdaContext('webhook') as never)) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode ?? 0, body: JSON.parse(res.body ?? '{}') };
}

describe.each([
  ['the embedded HTTP API', postEmbedded],
  ['the Lambda webhook', postLambda],
])('%s', (_name, post) => {
  it('answers a bad signature with 401 and says how to sign', async () => {
    const res = await post(body, 'wrong');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'WebhookRejected' });
    expect(res.body.error).toContain('X-Hub-Signature-256');
  });

  it('answers a body that names no repository with 400 and its message', async () => {
    const res = await post('{}');
    expect(res).toMatchObject({ status: 400, body: { code: 'WebhookRejected' } });
    expect(res.body.error).toContain('names no repository');
  });

  it('answers an unexpected failure with 500 and no internal text', async () => {
    // A record that is no JSON: reading it fails with a SyntaxError quoting its bytes.
    await env.deps.store.put('fetch/corrupt/spec.json', INTERNAL, 'application/json');
    try {
      const res = await post(body);
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toContain(INTERNAL);
      expect(JSON.stringify(res.body)).not.toContain('JSON');
      expect(res.body.error).toMatch(/internal error/);
    } finally {
      await env.deps.store.delete('fetch/corrupt/spec.json');
    }
  });
});
