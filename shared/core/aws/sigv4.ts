// AWS Signature Version 4 verification, as S3 and SQS do it: rebuild the canonical request from what was
// received, derive the signing key from the named access key's secret, and compare in constant time.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A request exactly as it arrived: the path and query as sent (still percent-encoded). */
export interface ReceivedRequest {
  method: string;
  /** Path as sent, e.g. `/bucket/a%20b`; no query. */
  path: string;
  /** Query string as sent, without `?`. */
  query: string;
  /** Header name/value pairs in arrival order (Node's rawHeaders, paired). */
  headers: [string, string][];
}

export type SigV4Failure =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidAccessKeyId'
  | 'SignatureDoesNotMatch'
  | 'RequestTimeTooSkewed'
  | 'RequestExpired'
  | 'XAmzContentSHA256Mismatch';

export interface SigV4Claim {
  accessKeyId: string;
  /** `YYYYMMDD/region/service/aws4_request` */
  scope: string;
  service: string;
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  /** Presigned URL (query parameters) rather than an Authorization header. */
  presigned: boolean;
  expiresSeconds?: number;
}

export type SigV4Result = { ok: true; accessKeyId: string } | { ok: false; failure: SigV4Failure };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const UNSIGNED = new Set(['UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']);

/** Reads who claims to have signed the request, without checking anything yet; cheap, before the body. */
export function parseSigV4(req: ReceivedRequest): SigV4Claim | SigV4Failure {
  const query = parseQuery(req.query);
  const q = (name: string) => query.find(([k]) => k === name)?.[1];
  const authorization = headerValues(req.headers, 'authorization');
  if (authorization !== undefined) {
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8}\/[^/,\s]+\/[^/,\s]+\/aws4_request),\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$/.exec(
        authorization.trim(),
      );
    const amzDate = headerValues(req.headers, 'x-amz-date');
    if (!match || !amzDate)
      return authorization.startsWith(ALGORITHM) ? 'IncompleteSignature' : 'MissingAuthenticationToken';
    return claim(match[1], match[2], match[3], match[4], amzDate.trim(), false);
  }
  if (q('X-Amz-Algorithm') === undefined) return 'MissingAuthenticationToken';
  const credential = /^([^/]+)\/(\d{8}\/[^/]+\/[^/]+\/aws4_request)$/.exec(q('X-Amz-Credential') ?? '');
  const expires = Number(q('X-Amz-Expires'));
  const signature = q('X-Amz-Signature') ?? '';
  if (
    q('X-Amz-Algorithm') !== ALGORITHM ||
    !credential ||
    !/^[0-9a-f]{64}$/.test(signature) ||
    !Number.isInteger(expires) ||
    expires < 1 ||
    expires > 604_800
  ) {
    return 'IncompleteSignature';
  }
  const result = claim(
    credential[1],
    credential[2],
    q('X-Amz-SignedHeaders') ?? '',
    signature,
    q('X-Amz-Date') ?? '',
    true,
  );
  if (typeof result !== 'string') result.expiresSeconds = expires;
  return result;
}

function claim(
  accessKeyId: string | undefined,
  scope: string | undefined,
  signedHeaders: string | undefined,
  signature: string | undefined,
  amzDate: string,
  presigned: boolean,
): SigV4Claim | SigV4Failure {
  const headers = (signedHeaders ?? '').split(';');
  const service = scope?.split('/')[2];
  if (!accessKeyId || !scope || !signature || !service || !headers.includes('host'))
    return 'IncompleteSignature';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !scope.startsWith(amzDate.slice(0, 8))) return 'IncompleteSignature';
  return { accessKeyId, scope, service, amzDate, signedHeaders: headers, signature, presigned };
}

/**
 * Verifies a claim against the body's SHA-256 (hex) and the secret of the claimed key; `secretOf` answers
 * undefined for an unknown key. `nowMs` bounds replays (15 minutes of skew, or a presigned URL's expiry).
 */
export function verifySigV4(
  req: ReceivedRequest,
  claimed: SigV4Claim,
  bodySha256: string,
  secretOf: (accessKeyId: string) => string | undefined,
  nowMs: number,
): SigV4Result {
  const fail = (failure: SigV4Failure): SigV4Result => ({ ok: false, failure });
  const secret = secretOf(claimed.accessKeyId);
  if (secret === undefined) return fail('InvalidAccessKeyId');
  const signedAt = parseAmzDate(claimed.amzDate);
  if (claimed.presigned) {
    if (signedAt - MAX_SKEW_MS > nowMs) return fail('RequestTimeTooSkewed');
    if (signedAt + (claimed.expiresSeconds ?? 0) * 1000 < nowMs) return fail('RequestExpired');
  } else if (Math.abs(nowMs - signedAt) > MAX_SKEW_MS) {
    return fail('RequestTimeTooSkewed');
  }
  const declared = headerValues(req.headers, 'x-amz-content-sha256')?.trim();
  let payloadHash: string;
  if (declared === undefined) {
    payloadHash = claimed.presigned && claimed.service === 's3' ? 'UNSIGNED-PAYLOAD' : bodySha256;
  } else if (/^[0-9a-f]{64}$/.test(declared)) {
    if (declared !== bodySha256) return fail('XAmzContentSHA256Mismatch');
    payloadHash = declared;
  } else if (UNSIGNED.has(declared) && claimed.service === 's3') {
    // S3 lets a client leave the body out of the signature (its integrity then rests on the checksum).
    payloadHash = declared;
  } else {
    return fail('XAmzContentSHA256Mismatch');
  }
  const canonical = [
    req.method.toUpperCase(),
    canonicalPath(req.path, claimed.service),
    canonicalQuery(req.query, claimed.presigned),
    ...claimed.signedHeaders.map((name) => `${name}:${canonicalHeader(req.headers, name)}`),
    '',
    claimed.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = [ALGORITHM, claimed.amzDate, claimed.scope, sha256Hex(canonical)].join('\n');
  const [date = '', region = '', service = ''] = claimed.scope.split('/');
  let key = hmac(`AWS4${secret}`, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const provided = Buffer.from(claimed.signature, 'hex');
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    return fail('SignatureDoesNotMatch');
  }
  return { ok: true, accessKeyId: claimed.accessKeyId };
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function parseAmzDate(s: string): number {
  return Date.UTC(
    +s.slice(0, 4),
    +s.slice(4, 6) - 1,
    +s.slice(6, 8),
    +s.slice(9, 11),
    +s.slice(11, 13),
    +s.slice(13, 15),
  );
}

/** S3 signs the path as sent; every other service signs it normalised and encoded once more. */
function canonicalPath(path: string, service: string): string {
  if (service === 's3') return path || '/';
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(query: string, presigned: boolean): string {
  return parseQuery(query)
    .filter(([k]) => !(presigned && k === 'X-Amz-Signature'))
    .map(([k, v]) => [escapeUri(k), escapeUri(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function parseQuery(query: string): [string, string][] {
  if (!query) return [];
  return query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
      return [safeDecode(k), safeDecode(v)];
    });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerValues(headers: [string, string][], name: string): string | undefined {
  const values = headers.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
  return values.length > 0 ? values.join(',') : undefined;
}

function canonicalHeader(headers: [string, string][], name: string): string {
  return headers
    .filter(([k]) => k.toLowerCase() === name)
    .map(([, v]) => v.trim().replace(/\s+/g, ' '))
    .join(',');
}
