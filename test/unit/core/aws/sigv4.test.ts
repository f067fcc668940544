// SigV4 verification against the reference signer the AWS SDK uses (@smithy/signature-v4): whatever it
// signs verifies, and any change to what was signed does not.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  parseSigV4,
  type ReceivedRequest,
  sha256Hex,
  verifySigV4,
} from '../../../../shared/core/aws/sigv4.ts';

class Sha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = Date.parse('2026-11-30T12:00:00Z');
const secretOf = (id: string) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined);

interface Case {
  service: 's3' | 'sqs';
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

async function signed(c: Case, presign = false): Promise<{ req: ReceivedRequest; body: string }> {
  const signer = new SignatureV4({
    credentials: KEY,
    region: 'us-east-1',
    service: c.service,
    sha256: Sha256 as never,
    uriEscapePath: c.service !== 's3',
    applyChecksum: c.service === 's3',
  });
  const body = c.body ?? '';
  const request = {
    method: c.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 7482,
    path: c.path,
    query: c.query ?? {},
    headers: {
      host: '127.0.0.1:7482',
      // As the SDK's presigner and S3 client do: presigned URLs never cover the body.
      ...(c.service === 's3' && { 'x-amz-content-sha256': presign ? 'UNSIGNED-PAYLOAD' : sha256Hex(body) }),
      ...c.headers,
    },
    body,
  };
  const out = presign
    ? await signer.presign(request as never, { signingDate: new Date(NOW), expiresIn: 300 })
    : await signer.sign(request as never, { signingDate: new Date(NOW) });
  const query = Object.entries((out as { query: Record<string, string | string[]> }).query ?? {})
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`),
    )
    .join('&');
  return {
    req: {
      method: c.method,
      path: c.path,
      query,
      headers: Object.entries((out as { headers: Record<string, string> }).headers),
    },
    body,
  };
}

function verify(req: ReceivedRequest, body: string, now = NOW) {
  const claim = parseSigV4(req);
  if (typeof claim === 'string') return claim;
  const result = verifySigV4(req, claim, sha256Hex(body), secretOf, now);
  return result.ok ? 'ok' : result.failure;
}

const cases: [string, Case][] = [
  ['an S3 GET of an encoded key', { service: 's3', method: 'GET', path: '/b/a%20b/c%2Bd%3D%C3%A9' }],
  [
    'an S3 listing with a prefix',
    { service: 's3', method: 'GET', path: '/b/', query: { 'list-type': '2', prefix: 'a b/' } },
  ],
  [
    'an S3 PUT with a body',
    {
      service: 's3',
      method: 'PUT',
      path: '/b/k.json',
      body: '{"x":1}',
      headers: { 'content-type': 'application/json' },
    },
  ],
  ['repeated query keys', { service: 's3', method: 'GET', path: '/b/', query: { z: ['2', '1'], a: '' } }],
  [
    'an SQS JSON call',
    {
      service: 'sqs',
      method: 'POST',
      path: '/',
      body: '{"QueueUrl":"http://q/000000000000/x"}',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.ReceiveMessage',
        'x-extra': '  a   b  ',
      },
    },
  ],
];

describe('verifySigV4', () => {
  it.each(cases)('accepts %s as the SDK signs it', async (_what, c) => {
    const { req, body } = await signed(c);
    expect(verify(req, body)).toBe('ok');
  });

  it.each(cases.filter(([, c]) => c.service === 's3'))('accepts %s presigned', async (_what, c) => {
    const { req } = await signed({ ...c, body: '' }, true);
    expect(verify(req, '')).toBe('ok');
  });

  it('refuses a changed path, query, header, method or body', async () => {
    const { req, body } = await signed(cases[4]?.[1] as Case);
    const header = (name: string, value: string) =>
      req.headers.map(([k, v]) => [k, k === name ? value : v] as [string, string]);
    expect(verify({ ...req, path: '/other' }, body)).toBe('SignatureDoesNotMatch');
    expect(verify({ ...req, query: 'Action=x' }, body)).toBe('SignatureDoesNotMatch');
    expect(verify({ ...req, headers: header('x-amz-target', 'AmazonSQS.SendMessage') }, body)).toBe(
      'SignatureDoesNotMatch',
    );
    expect(verify({ ...req, method: 'PUT' }, body)).toBe('SignatureDoesNotMatch');
    // SQS signs the body's digest itself.
    expect(verify(req, `${body} `)).toBe('SignatureDoesNotMatch');
  });

  it('refuses an S3 body that is not the one its declared digest names', async () => {
    const { req, body } = await signed(cases[2]?.[1] as Case);
    expect(verify(req, `${body} `)).toBe('XAmzContentSHA256Mismatch');
  });

  it('refuses a missing, malformed, unknown-key, stale or expired signature', async () => {
    const { req, body } = await signed(cases[0]?.[1] as Case);
    expect(verify({ ...req, headers: req.headers.filter(([k]) => k !== 'authorization') }, body)).toBe(
      'MissingAuthenticationToken',
    );
    const auth = (f: (v: string) => string) =>
      req.headers.map(([k, v]) => [k, k === 'authorization' ? f(v) : v] as [string, string]);
    expect(verify({ ...req, headers: auth((v) => v.replace('Signature=', 'Signature=zz')) }, body)).toBe(
      'IncompleteSignature',
    );
    expect(verify({ ...req, headers: auth((v) => v.replace('AKIDEXAMPLE', 'AKIDOTHER')) }, body)).toBe(
      'InvalidAccessKeyId',
    );
    expect(verify(req, body, NOW + 16 * 60_000)).toBe('RequestTimeTooSkewed');
    const { req: presigned } = await signed(cases[0]?.[1] as Case, true);
    expect(verify(presigned, '', NOW + 301_000)).toBe('RequestExpired');
  });
});
