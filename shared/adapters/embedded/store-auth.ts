// Authentication and authorization for the embedded SQS/S3 server: every request must carry a valid SigV4
// signature by a known principal, and the principal's policy (the cloud's IAM documents) must allow it.
import { Readable } from 'node:stream';
import { type AccessRequest, isAllowed, type PolicyDocumentLike } from '../../core/aws/evaluate-policy.ts';
import {
  parseSigV4,
  type ReceivedRequest,
  type SigV4Claim,
  type SigV4Failure,
  sha256Hex,
  verifySigV4,
} from '../../core/aws/sigv4.ts';
import { answerKms, type EmbeddedKeyService, kmsAccessRequest, parseKmsCall } from './embedded-kms.ts';

export interface StorePrincipal {
  /** For logs only: `control-plane`, `puller:dev`. */
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** 'all' for the control plane; a cluster puller gets the cloud's puller policy. */
  policy: PolicyDocumentLike | 'all';
}

/** The ARNs the embedded server names its resources by; policies for it are written against these. */
export const embeddedArns = {
  bucket: (bucket: string) => `arn:aws:s3:::${bucket}`,
  queue: (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`,
};

/** The 11 MiB fauxqs accepts; bodies are read whole before the signature can be checked. */
const MAX_BODY = 11 * 1_048_576;

interface Hookable {
  addHook(
    name: 'onRequest',
    hook: (req: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<unknown>,
  ): void;
  addHook(
    name: 'preHandler',
    hook: (req: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<unknown>,
  ): void;
  addHook(
    name: 'preParsing',
    hook: (req: FastifyLikeRequest, reply: FastifyLikeReply, payload: Readable) => Promise<unknown>,
  ): void;
}

interface FastifyLikeRequest {
  method: string;
  url: string;
  originalUrl: string;
  params: unknown;
  raw: { rawHeaders: string[] };
  headers: Record<string, string | string[] | undefined>;
}

interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(body?: string): FastifyLikeReply;
}

const claims = new WeakMap<FastifyLikeRequest, SigV4Claim>();
const verified = new WeakSet<FastifyLikeRequest>();

/** Registers the checks on a fauxqs app (a fastify instance) before any route runs. */
export function requireSignedRequests(
  app: Hookable,
  principals: StorePrincipal[],
  now = () => Date.now(),
  /** The embedded key service, served as KMS Decrypt (how local pullers open their data keys). */
  kms?: EmbeddedKeyService,
): void {
  const byKey = new Map(principals.map((p) => [p.accessKeyId, p]));
  // Refuse the unsigned and the unknown before reading any body.
  app.addHook('onRequest', async (req, reply) => {
    const claim = parseSigV4(received(req));
    if (typeof claim === 'string') return deny(req, reply, claim);
    if (!byKey.has(claim.accessKeyId)) return deny(req, reply, 'InvalidAccessKeyId');
    claims.set(req, claim);
    return undefined;
  });
  app.addHook('preParsing', async (req, reply, payload) => {
    const claim = claims.get(req);
    if (!claim) return deny(req, reply, 'MissingAuthenticationToken');
    const body = await readAll(payload, MAX_BODY);
    if (!body) return deny(req, reply, 'EntityTooLarge');
    const result = verifySigV4(
      received(req),
      claim,
      sha256Hex(body),
      (id) => byKey.get(id)?.secretAccessKey,
      now(),
    );
    if (!result.ok) return deny(req, reply, result.failure);
    const principal = byKey.get(result.accessKeyId) as StorePrincipal;
    const kmsCall = kms ? parseKmsCall(req.headers, body) : undefined;
    if (principal.policy !== 'all') {
      const access = kmsCall && kms ? kmsAccessRequest(kmsCall, kms) : accessRequest(req, body);
      if (!access || !isAllowed(principal.policy, access)) return deny(req, reply, 'AccessDenied');
    }
    if (kmsCall && kms) {
      // Answered here: fauxqs has no KMS, and the body was read whole above.
      const answer = answerKms(kmsCall, kms);
      return reply.code(answer.status).header('content-type', 'application/x-amz-json-1.1').send(answer.body);
    }
    verified.add(req);
    const replay = Readable.from([body]) as Readable & { receivedEncodedLength?: number };
    replay.receivedEncodedLength = body.length;
    return replay;
  });
  // Belt and braces: no handler runs for a request whose signature and grant were not checked above.
  app.addHook('preHandler', async (req, reply) =>
    verified.has(req) ? undefined : deny(req, reply, 'MissingAuthenticationToken'),
  );
}

function received(req: FastifyLikeRequest): ReceivedRequest {
  const raw = req.originalUrl;
  const q = raw.indexOf('?');
  const headers: [string, string][] = [];
  const list = req.raw.rawHeaders;
  for (let i = 0; i + 1 < list.length; i += 2) headers.push([list[i] as string, list[i + 1] as string]);
  return {
    method: req.method,
    path: q < 0 ? raw : raw.slice(0, q),
    query: q < 0 ? '' : raw.slice(q + 1),
    headers,
  };
}

/**
 * What the request would do, as IAM names it; undefined for anything outside the few shapes a puller
 * needs (only the all-powerful control plane may use the rest of the API).
 */
export function accessRequest(req: FastifyLikeRequest, body: Buffer): AccessRequest | undefined {
  const contentType = String(req.headers['content-type'] ?? '');
  const target = req.headers['x-amz-target'];
  if (req.method === 'POST' && req.url === '/' && contentType.includes('application/x-amz-json-1.0')) {
    if (typeof target !== 'string' || !target.startsWith('AmazonSQS.')) return undefined;
    let input: { QueueUrl?: unknown; QueueName?: unknown };
    try {
      input = JSON.parse(body.toString('utf8')) as typeof input;
    } catch {
      return undefined;
    }
    // The queue fauxqs will act on: the last path segment of QueueUrl, whatever its host (as fauxqs parses it).
    const name =
      typeof input.QueueUrl === 'string'
        ? input.QueueUrl.replace(/^https?:\/\/[^/]+/, '')
            .split('/')
            .filter(Boolean)
            .pop()
        : typeof input.QueueName === 'string'
          ? input.QueueName
          : undefined;
    if (!name) return undefined;
    // IAM has no separate actions for the batch forms.
    const action = target.slice('AmazonSQS.'.length).replace(/Batch$/, '');
    return { action: `sqs:${action}`, resource: embeddedArns.queue(name) };
  }
  const params = (req.params ?? {}) as { bucket?: string; '*'?: string };
  if (!params.bucket) return undefined;
  const query = new URL(req.url, 'http://store').searchParams;
  // X-Amz-* parameters are the presigned signature and checksum options, not a different operation.
  const only = (allowed: string[]) =>
    [...query.keys()].every((k) => allowed.includes(k) || k.toLowerCase().startsWith('x-amz-'));
  const bucket = embeddedArns.bucket(params.bucket);
  const key = params['*'] ?? '';
  if (key === '') {
    const listing = ['list-type', 'prefix', 'continuation-token', 'start-after', 'delimiter', 'max-keys'];
    if (req.method === 'GET' && only([...listing, 'encoding-type', 'fetch-owner', 'x-id'])) {
      return {
        action: 's3:ListBucket',
        resource: bucket,
        context: { 's3:prefix': query.get('prefix') ?? '' },
      };
    }
    return undefined;
  }
  if (!only(['x-id'])) return undefined;
  const object = `${bucket}/${key}`;
  if (req.method === 'GET' || req.method === 'HEAD') return { action: 's3:GetObject', resource: object };
  if (req.method === 'PUT') return { action: 's3:PutObject', resource: object };
  if (req.method === 'DELETE') return { action: 's3:DeleteObject', resource: object };
  return undefined;
}

const MESSAGES: Record<SigV4Failure | 'AccessDenied' | 'EntityTooLarge', string> = {
  MissingAuthenticationToken: 'Request is missing an AWS Signature Version 4 signature',
  IncompleteSignature: 'The request signature is malformed',
  InvalidAccessKeyId: 'The AWS access key ID you provided does not exist in our records',
  SignatureDoesNotMatch: 'The request signature we calculated does not match the signature you provided',
  RequestTimeTooSkewed: 'The difference between the request time and the current time is too large',
  RequestExpired: 'Request has expired',
  XAmzContentSHA256Mismatch: "The provided 'x-amz-content-sha256' header does not match what was computed",
  AccessDenied: 'Access Denied',
  EntityTooLarge: 'Your proposed upload exceeds the maximum allowed size',
};

/** KMS's names for the refusals (it answers them with 400). */
const KMS_ERRORS: Partial<Record<SigV4Failure | 'AccessDenied' | 'EntityTooLarge', string>> = {
  AccessDenied: 'AccessDeniedException',
  InvalidAccessKeyId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
};

/** Answers as S3 (XML), SQS or KMS (JSON, SQS with the query-compatible error header) would. */
function deny(
  req: FastifyLikeRequest,
  reply: FastifyLikeReply,
  code: SigV4Failure | 'AccessDenied' | 'EntityTooLarge',
): FastifyLikeReply {
  const status = code === 'EntityTooLarge' ? 413 : code === 'XAmzContentSHA256Mismatch' ? 400 : 403;
  const message = MESSAGES[code];
  if (String(req.headers['content-type'] ?? '').includes('application/x-amz-json-1.1')) {
    const type = KMS_ERRORS[code] ?? code;
    return reply
      .code(status === 403 ? 400 : status)
      .header('content-type', 'application/x-amz-json-1.1')
      .send(JSON.stringify({ __type: type, message }));
  }
  if (String(req.headers['content-type'] ?? '').includes('application/x-amz-json-1.0')) {
    return reply
      .code(status)
      .header('content-type', 'application/x-amz-json-1.0')
      .header('x-amzn-query-error', `${code};Sender`)
      .send(JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message }));
  }
  if (req.method === 'HEAD') return reply.code(status).send();
  return reply
    .code(status)
    .header('content-type', 'application/xml')
    .send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    );
}

async function readAll(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > limit) {
      stream.destroy();
      return undefined;
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
