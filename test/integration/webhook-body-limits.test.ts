// The embedded webhook's body limits, as a client on the wire sees them: an oversized body is answered with
// 413 and the API's JSON error (never a reset connection), and a body that is slow or never comes with 408.
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpApi, MAX_WEBHOOK_BYTES, startHttpApi } from '../../embedded/http-api.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

const SECRET = 'webhook-secret';
const TWO_MIB = 2 * 1024 * 1024;

let env: StoreAndQueues;
let api: HttpApi;

beforeAll(async () => {
  env = await startStoreAndQueues('body-limits');
  // A short body timeout so the stalled-body case ends quickly; the default is 10 s.
  api = await startHttpApi({
    deps: env.deps,
    webhookSecret: SECRET,
    host: '127.0.0.1',
    port: 0,
    bodyTimeoutMs: 300,
  });
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** POSTs `size` bytes in 64 KiB chunks, with a Content-Length or chunked; rejects on a connection error. */
function postLarge(size: number, framing: 'content-length' | 'chunked'): Promise<Answer> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/hooks/generic',
      headers: {
        'content-type': 'application/json',
        ...(framing === 'content-length' && { 'content-length': String(size) }),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const pump = (): void => {
      while (sent < size && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** Sends `head` on a raw socket and returns everything the server writes until it closes the connection. */
function rawExchange(head: string): Promise<string> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(head));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.on('error', reject);
  });
}

describe('the embedded webhook body limits', () => {
  it('answers a declared Content-Length over 1 MiB with 413 and the JSON error, not a reset', async () => {
    const res = await postLarge(TWO_MIB, 'content-length');
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toMatchObject({ code: 'LimitExceeded' });
    expect(res.body.error).toContain(String(MAX_WEBHOOK_BYTES));
  });

  it('answers a chunked body that passes 1 MiB with 413 and the JSON error', async () => {
    const res = await postLarge(TWO_MIB, 'chunked');
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'LimitExceeded' });
  });

  it('answers 413 without waiting for a body that is declared too large and never sent', async () => {
    const answer = await rawExchange(
      `POST /hooks/generic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${TWO_MIB}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"code": "LimitExceeded"');
  });

  it('answers a declared body that never arrives with 408 and closes the connection', async () => {
    const answer = await rawExchange(
      'POST /hooks/generic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"repo',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code": "LimitExceeded"');
  });

  it('still takes a signed body within the limit on the same server', async () => {
    const body = JSON.stringify({ repository: 'https://git.example.com/fleet.git', pad: 'x'.repeat(1000) });
    const res = await fetch(`${api.url}/hooks/generic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, SECRET) },
      body,
    });
    expect(res.status).toBe(202);
  });
});
