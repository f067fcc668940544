// A local stand-in for AWS KMS speaking the AWS JSON 1.1 protocol (POST /, X-Amz-Target: TrentService.*)
// over an in-memory key store, so KmsKeyService and pullers can be tested with the real @aws-sdk/client-kms.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessControl, type KmsDenyRule } from './kms-server/access.ts';
import { KmsError } from './kms-server/errors.ts';
import type { Body } from './kms-server/fields.ts';
import { type KeySpec, KeyStore } from './kms-server/keys.ts';
import { operations } from './kms-server/operations.ts';

export type { KmsDenyRule } from './kms-server/access.ts';
export type { KeySpec } from './kms-server/keys.ts';

export interface KmsRequestRecord {
  /** The X-Amz-Target header as sent, e.g. `TrentService.Sign` ('' when absent). */
  target: string;
  /** The operation part of the target, e.g. `Sign`. */
  operation: string;
  /** The access key id the request was signed with (SigV4 `Credential=`), '' when unsigned: who called. */
  accessKeyId: string;
}

export interface KmsServer {
  /** `http://127.0.0.1:<port>`, for `new KMSClient({ endpoint })`. */
  endpoint: string;
  /** Creates a key synchronously; `alias` may be given with or without the `alias/` prefix. */
  createKey(spec: KeySpec, opts?: { alias?: string }): { keyId: string; arn: string };
  close(): Promise<void>;
  /** Every request received, in arrival order. */
  requests: KmsRequestRecord[];
  /**
   * Fault hook: the next request for `operation` (e.g. `Sign`) fails as given instead of running: an AWS
   * error (`type`, HTTP `status`) as an outage or a refusal would answer, or `'disconnect'` (the socket is
   * destroyed unanswered, as when the network fails).
   */
  failNext(operation: string, fault: KmsFault): void;
  /**
   * A key policy statement denying one caller (by its signing access key): its requests on the key answer
   * AccessDeniedException naming `principal` and the key ARN, as real KMS does.
   */
  deny(rule: KmsDenyRule): void;
  /** DisableKey/EnableKey: a disabled key answers DisabledException to every cryptographic operation. */
  disableKey(key: string): void;
  enableKey(key: string): void;
  /** The next `calls` requests (for `operation`, or any) answer ThrottlingException, as a rate limit does. */
  throttle(calls: number, operation?: string): void;
}

export type KmsFault = { type: string; status: number; message?: string } | 'disconnect';

const TARGET_PREFIX = 'TrentService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export async function startKmsServer(): Promise<KmsServer> {
  const store = new KeyStore();
  const requests: KmsRequestRecord[] = [];
  const faults = new Map<string, KmsFault[]>();
  const access = new AccessControl();

  const server = createServer((req, res) => {
    handle(store, access, requests, faults, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { __type: 'KMSInternalException', message: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    failNext(operation, fault) {
      faults.set(operation, [...(faults.get(operation) ?? []), fault]);
    },
    deny: (rule) => access.deny(store, rule),
    disableKey: (key) => access.setEnabled(store, key, false),
    enableKey: (key) => access.setEnabled(store, key, true),
    throttle: (calls, operation) => access.throttle(calls, operation),
    createKey(spec, opts) {
      const key = store.create(spec, opts?.alias);
      return { keyId: key.id, arn: key.arn };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  store: KeyStore,
  access: AccessControl,
  requests: KmsRequestRecord[],
  faults: Map<string, KmsFault[]>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = await readBody(req);
  const header = req.headers['x-amz-target'];
  const target = typeof header === 'string' ? header : '';
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const auth = req.headers.authorization ?? '';
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(auth)?.[1] ?? '';
  requests.push({ target, operation, accessKeyId });
  const fault = faults.get(operation)?.shift();
  if (fault === 'disconnect') return void res.socket?.destroy();
  if (fault) return send(res, fault.status, { __type: fault.type, message: fault.message ?? fault.type });

  try {
    if (req.method !== 'POST') {
      throw new KmsError('UnknownOperationException', `${req.method} ${req.url} is not a KMS operation`);
    }
    const handler = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    if (!handler)
      throw new KmsError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    const body = parseBody(raw);
    access.check(store, operation, body, accessKeyId);
    send(res, 200, handler(store, body));
  } catch (err) {
    if (!(err instanceof KmsError)) throw err;
    send(res, err.status, { __type: err.type, message: err.message });
  }
}

function parseBody(raw: Buffer): Body {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new KmsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KmsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return parsed as Body;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': String(payload.length),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(payload);
}
