// The embedded control plane's HTTP endpoint on loopback: push webhooks in, status out. The webhook only
// verifies and enqueues, so it answers in milliseconds whatever the repository size. Beyond loopback the
// status API needs a bearer token; the webhook always needs its HMAC signature.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertListenAddress, localAddress } from '../shared/adapters/embedded/listen-address.ts';
import { httpAnswerOf, isHttpError } from '../shared/core/http-error.ts';
import { isTargetKind, TARGET_KINDS } from '../shared/core/pipeline/target.ts';
import { handleWebhook } from '../shared/usecases/handle-webhook.ts';
import { listRestorable } from '../shared/usecases/list-restorable.ts';
import type { PipelineDeps } from '../shared/usecases/pipeline-deps.ts';
import { requestRollback } from '../shared/usecases/queue-rollback.ts';
import { readArtifact } from '../shared/usecases/read-artifact.ts';
import { type LocalPullerState, readStatus } from '../shared/usecases/read-status.ts';
import { parseRollbackAsk } from '../shared/usecases/rollback-request.ts';
import { closeAfterAnswer, readBoundedBody } from './read-bounded-body.ts';

export const MAX_WEBHOOK_BYTES = 1024 * 1024;
const MAX_ROLLBACK_BYTES = 16 * 1024;
/** A webhook body must arrive whole within this time; a stalled one is answered 408, not waited for. */
export const WEBHOOK_BODY_TIMEOUT_MS = 10_000;

export interface HttpApiOptions {
  deps: PipelineDeps;
  webhookSecret: string;
  /** What `sluice rollback` signs a webhook rollback with (see handleWebhook); absent, none is taken. */
  rollbackSecret?: string;
  host: string;
  port: number;
  /** When set, GET /api/status needs `Authorization: Bearer <statusToken>`; required to listen beyond loopback. */
  statusToken?: string;
  /** The local puller's state as `localPuller` in GET /api/status (undefined while it starts). */
  localPuller?: () => LocalPullerState | undefined;
  /**
   * GET /api/artifact needs `Authorization: Bearer <artifactToken>` even on loopback: artifacts may hold
   * Secrets, which other users of this machine must not read. Without it the route answers 404.
   */
  artifactToken?: string;
  /** How long a webhook body may take to arrive (default WEBHOOK_BODY_TIMEOUT_MS); tests set a short one. */
  bodyTimeoutMs?: number;
}

export interface HttpApi {
  url: string;
  close(): Promise<void>;
}

export async function startHttpApi(opts: HttpApiOptions): Promise<HttpApi> {
  assertListenAddress('the webhook and status API', opts.host, opts.statusToken !== undefined);
  const bodyTimeoutMs = opts.bodyTimeoutMs ?? WEBHOOK_BODY_TIMEOUT_MS;
  const server: Server = createServer((req, res) => {
    route(opts, bodyTimeoutMs, req, res).catch((err: unknown) => {
      // Only what is safe to show reaches the caller; the rest is the operator's, on stderr.
      const answer = httpAnswerOf(err);
      // Refused mid-body (too large, too slow): answer, then close without reading the rest.
      if (isHttpError(err) && (err.status === 413 || err.status === 408))
        closeAfterAnswer(req, res, bodyTimeoutMs);
      if (answer.status >= 500)
        console.error(
          `sluice: ${req.method} ${req.url?.split('?')[0]}: ${answer.body.code}: ${(err as Error)?.message}`,
        );
      send(res, answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    // Where this machine reaches it: listening everywhere still answers on loopback.
    url: `http://${localAddress(opts.host)}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(
  opts: HttpApiOptions,
  bodyTimeoutMs: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
  if (req.method === 'GET' && path === '/api/status') {
    if (opts.statusToken !== undefined && !bearerMatches(req.headers.authorization, opts.statusToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="sluice"');
      return send(res, 401, {
        error: 'GET /api/status needs Authorization: Bearer <token from the api-token file>',
      });
    }
    const puller = opts.localPuller?.();
    return send(res, 200, { ...(await readStatus(opts.deps)), ...(puller && { localPuller: puller }) });
  }
  if (req.method === 'GET' && path === '/api/artifact') return artifactRoute(opts, req, res);
  if (path === '/api/rollback') return rollbackRoute(opts, bodyTimeoutMs, req, res);
  if (path.startsWith('/hooks/')) {
    if (req.method !== 'POST') return send(res, 405, { error: 'webhooks are POST requests' });
    const body = await readBoundedBody(req, { maxBytes: MAX_WEBHOOK_BYTES, timeoutMs: bodyTimeoutMs });
    const header = req.headers['x-hub-signature-256'] ?? req.headers['x-sluice-signature'];
    const result = await handleWebhook(opts.deps, {
      body,
      signature: Array.isArray(header) ? header[0] : header,
      secret: opts.webhookSecret,
      rollbackSecret: opts.rollbackSecret,
    });
    return send(res, 202, { accepted: true, ...result });
  }
  send(res, 404, { error: `no route for ${req.method} ${path}; try POST /hooks/generic or GET /api/status` });
}

/** GET /api/artifact?cluster=&kind=&namespace=&name=: a target's verified artifact (kind defaults to Kustomization). */
async function artifactRoute(opts: HttpApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (opts.artifactToken === undefined) return send(res, 404, { error: 'artifacts are not served here' });
  if (!bearerMatches(req.headers.authorization, opts.artifactToken)) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="sluice"');
    return send(res, 401, {
      error: 'GET /api/artifact needs Authorization: Bearer <token from the api-token file>',
    });
  }
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const kind = query.get('kind') ?? 'Kustomization';
  const [cluster, namespace, name] = ['cluster', 'namespace', 'name'].map((k) => query.get(k) ?? '');
  if (!cluster || !namespace || !name || !isTargetKind(kind))
    return send(res, 400, {
      error: `wants cluster, namespace and name, and kind one of ${TARGET_KINDS.join(', ')}`,
      code: 'UsageError',
    });
  return send(res, 200, await readArtifact(opts.deps, cluster, { kind, namespace, name }));
}

/**
 * GET /api/rollback?cluster=&kind=&namespace=&name=: the target's stored artifacts, newest first.
 * POST /api/rollback {cluster, kind?, namespace, name, to, reason?}: queue a rollback to one of them.
 * The API token as for artifacts: a rollback changes what a cluster runs.
 */
async function rollbackRoute(
  opts: HttpApiOptions,
  bodyTimeoutMs: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (opts.artifactToken === undefined) return send(res, 404, { error: 'rollbacks are not served here' });
  if (!bearerMatches(req.headers.authorization, opts.artifactToken)) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="sluice"');
    return send(res, 401, {
      error: '/api/rollback needs Authorization: Bearer <token from the api-token file>',
    });
  }
  if (req.method === 'GET') {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const ask = parseRollbackAsk({ ...Object.fromEntries(query), to: 'list' }, 'api');
    return send(res, 200, { artifacts: await listRestorable(opts.deps, ask.cluster, ask.target) });
  }
  if (req.method !== 'POST') return send(res, 405, { error: '/api/rollback takes GET and POST' });
  const body = await readBoundedBody(req, { maxBytes: MAX_ROLLBACK_BYTES, timeoutMs: bodyTimeoutMs });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    value = undefined;
  }
  return send(res, 202, await requestRollback(opts.deps, parseRollbackAsk(value, 'api')));
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}
