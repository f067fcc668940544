// An OCI distribution registry stand-in on 127.0.0.1 that the real `helm push|pull|show chart --plain-http`
// accept: blob uploads, manifests by tag and digest, tag lists, optional basic or bearer-token auth.
//
// It models: `/v2/` ping; blob uploads (POST → Location, PATCH chunks, PUT ?digest=, monolithic POST ?digest=,
// cross-repository mount answered 201 when the blob exists, 202 otherwise); HEAD/GET blobs; manifests PUT/GET/HEAD
// by tag or digest, stored as the exact bytes and content type pushed, with Docker-Content-Digest;
// `/tags/list` with `n`/`last` pagination and a Link header; basic auth, or the bearer flow (401 with a
// `WWW-Authenticate: Bearer realm=…,service=…,scope=repository:<name>:<actions>` challenge and a /token
// endpoint that checks basic credentials, or hands anonymous pull tokens when `anonymousPull` is set);
// blob GETs redirected to a second origin (a CDN stand-in that refuses an Authorization header, as S3 does);
// a request log on both origins; HTTPS with a given certificate; test hooks to corrupt a blob or a manifest,
// answer the next requests with an error status, and serve an oversized manifest.
// It does NOT model: deletes, the referrers API, upload status (GET on an upload) or resumption, Range
// requests, digest algorithms other than sha256, manifest validation (referenced blobs need not exist),
// Accept negotiation (a manifest is served as the type it was pushed with), token expiry, per-repository
// permissions (a token's actions hold for every repository), rate limits, or client certificates.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface OciRegistryAuth {
  scheme: 'basic' | 'bearer';
  username: string;
  password: string;
  /** Bearer only: /token hands pull-only tokens to callers without credentials (a public repository). */
  anonymousPull?: boolean;
  /** Bearer only: the realm named in challenges, when a test wants it elsewhere (default: this server's /token). */
  realm?: string;
}

export interface OciRegistryOptions {
  auth?: OciRegistryAuth;
  /** Blob GETs answer 307 to a second origin that serves the bytes (and refuses any Authorization header). */
  redirectBlobs?: boolean;
  /** Serve HTTPS with this certificate (the redirect target stays plain HTTP). */
  tls?: { certPem: string; keyPem: string };
}

export interface LoggedRequest {
  /** 'registry' for the registry's origin, 'blobs' for the redirect target. */
  origin: 'registry' | 'blobs';
  method: string;
  /** Path and query. */
  path: string;
  authorization: string | undefined;
  status: number;
}

export interface OciRegistry {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `127.0.0.1:<port>`, as helm and `oci://` URLs spell it. */
  host: string;
  /** The blob redirect target's origin, when `redirectBlobs` is set. */
  blobOrigin: string | undefined;
  /** `oci://127.0.0.1:<port>/<repository>` */
  url(repository: string): string;
  requests: LoggedRequest[];
  /** Stores a blob directly (no HTTP); returns its digest. */
  putBlob(repository: string, bytes: Buffer): string;
  /** Stores a manifest directly under its digest and, when given, a tag; returns its digest. */
  putManifest(repository: string, bytes: Buffer, mediaType: string, tag?: string): string;
  /** Serves other bytes under `digest` from now on (same length, one byte flipped). */
  corruptBlob(digest: string): void;
  /** Serves other bytes under the manifest digest `digest` of `repository` from now on. */
  corruptManifest(repository: string, digest: string): void;
  /** The next `count` requests to the registry origin answer `status` (a registry in trouble). */
  failRequests(status: number, count?: number): void;
  /** Tags `tag` with a syntactically valid manifest of `bytes` bytes (padded with an annotation). */
  serveOversizedManifest(repository: string, tag: string, bytes: number): string;
  close(): Promise<void>;
}

interface Repo {
  blobs: Set<string>;
  manifests: Map<string, { bytes: Buffer; mediaType: string }>;
  tags: Map<string, string>;
}

interface Upload {
  repository: string;
  chunks: Buffer[];
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const SERVICE = 'sluice-test-registry';

export async function startOciRegistry(opts: OciRegistryOptions = {}): Promise<OciRegistry> {
  const blobs = new Map<string, Buffer>();
  const repos = new Map<string, Repo>();
  const uploads = new Map<string, Upload>();
  const tokens = new Map<string, { push: boolean }>();
  const requests: LoggedRequest[] = [];
  let origin = '';
  let blobOrigin: string | undefined;
  let failures: { status: number; left: number } | undefined;

  const repo = (name: string): Repo => {
    let r = repos.get(name);
    if (!r) {
      r = { blobs: new Set(), manifests: new Map(), tags: new Map() };
      repos.set(name, r);
    }
    return r;
  };
  const storeBlob = (name: string, bytes: Buffer): string => {
    const digest = sha256(bytes);
    if (!blobs.has(digest)) blobs.set(digest, bytes);
    repo(name).blobs.add(digest);
    return digest;
  };
  const storeManifest = (name: string, bytes: Buffer, mediaType: string, tag?: string): string => {
    const digest = sha256(bytes);
    const r = repo(name);
    r.manifests.set(digest, { bytes, mediaType });
    if (tag) r.tags.set(tag, digest);
    return digest;
  };

  const basicOk = (header: string | undefined): boolean => {
    const auth = opts.auth;
    if (!auth || !header?.startsWith('Basic ')) return false;
    return Buffer.from(header.slice(6), 'base64').toString() === `${auth.username}:${auth.password}`;
  };

  /** Whether the request may go on; answers the 401 itself when not. */
  const authorize = (req: IncomingMessage, res: ServerResponse, name: string | undefined, push: boolean) => {
    const auth = opts.auth;
    if (!auth) return true;
    const header = req.headers.authorization;
    if (auth.scheme === 'basic') {
      if (basicOk(header)) return true;
      res.setHeader('www-authenticate', `Basic realm="${SERVICE}"`);
      error(res, 401, 'UNAUTHORIZED', 'authentication required');
      return false;
    }
    const token = header?.startsWith('Bearer ') ? tokens.get(header.slice(7)) : undefined;
    if (token && (token.push || !push)) return true;
    const realm = auth.realm ?? `${origin}/token`;
    const scope = name ? `,scope="repository:${name}:${push ? 'pull,push' : 'pull'}"` : '';
    res.setHeader('www-authenticate', `Bearer realm="${realm}",service="${SERVICE}"${scope}`);
    error(res, 401, 'UNAUTHORIZED', 'authentication required');
    return false;
  };

  const issueToken = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const auth = opts.auth;
    const scopes = url.searchParams.getAll('scope').join(' ');
    const wantsPush = /:[^:]*push/.test(scopes);
    const withCredentials = basicOk(req.headers.authorization);
    const anonymous = req.headers.authorization === undefined && auth?.anonymousPull === true && !wantsPush;
    if (auth?.scheme !== 'bearer' || (!withCredentials && !anonymous)) {
      return error(res, 401, 'UNAUTHORIZED', 'bad credentials');
    }
    const token = randomUUID();
    tokens.set(token, { push: withCredentials });
    json(res, 200, { token, access_token: token, expires_in: 300 });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path === '/token') return issueToken(req, res, url);
    if (!path.startsWith('/v2/')) return error(res, 404, 'NOT_FOUND', 'not found');
    const write = method !== 'GET' && method !== 'HEAD';
    if (path === '/v2/') {
      if (!authorize(req, res, undefined, false)) return;
      return json(res, 200, {});
    }
    const m =
      /^\/v2\/(.+)\/(manifests|tags|blobs\/uploads|blobs)\/(.*)$/.exec(path) ??
      ([] as unknown as RegExpExecArray);
    const [, name, kind, rest] = m;
    if (
      !name ||
      !kind ||
      rest === undefined ||
      !/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(name)
    ) {
      return error(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    }
    if (!authorize(req, res, name, write)) return;
    const body = write ? await readBody(req) : Buffer.alloc(0);
    if (kind === 'tags' && rest === 'list') return listTags(res, url, name);
    if (kind === 'manifests') return manifest(req, res, method, name, rest, body);
    if (kind === 'blobs') return blob(res, method, name, rest);
    return upload(res, method, url, name, rest, body);
  };

  const listTags = (res: ServerResponse, url: URL, name: string) => {
    const r = repos.get(name);
    if (!r) return error(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    let tags = [...r.tags.keys()].sort();
    const last = url.searchParams.get('last');
    if (last !== null) tags = tags.filter((t) => t > last);
    const n = url.searchParams.get('n');
    if (n !== null && tags.length > Number(n)) {
      tags = tags.slice(0, Number(n));
      res.setHeader(
        'link',
        `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(tags.at(-1) ?? '')}>; rel="next"`,
      );
    }
    json(res, 200, { name, tags });
  };

  const manifest = (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    name: string,
    ref: string,
    body: Buffer,
  ) => {
    if (method === 'PUT') {
      const digest = sha256(body);
      if (DIGEST.test(ref) && ref !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
      storeManifest(
        name,
        body,
        req.headers['content-type'] ?? 'application/vnd.oci.image.manifest.v1+json',
        DIGEST.test(ref) ? undefined : ref,
      );
      res.setHeader('location', `/v2/${name}/manifests/${digest}`);
      res.setHeader('docker-content-digest', digest);
      res.writeHead(201).end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') return error(res, 405, 'UNSUPPORTED', 'method not allowed');
    const r = repos.get(name);
    const digest = DIGEST.test(ref) ? ref : r?.tags.get(ref);
    const found = digest ? r?.manifests.get(digest) : undefined;
    if (!digest || !found) return error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    res.writeHead(200, {
      'content-type': found.mediaType,
      'content-length': found.bytes.length,
      'docker-content-digest': digest,
    });
    res.end(method === 'HEAD' ? undefined : found.bytes);
  };

  const blob = (res: ServerResponse, method: string, name: string, digest: string) => {
    const bytes = repos.get(name)?.blobs.has(digest) ? blobs.get(digest) : undefined;
    if (method !== 'GET' && method !== 'HEAD') return error(res, 405, 'UNSUPPORTED', 'method not allowed');
    if (!bytes) return error(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
    if (method === 'GET' && blobOrigin) {
      res.writeHead(307, { location: `${blobOrigin}/cdn/${digest}?signature=test` }).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': bytes.length,
      'docker-content-digest': digest,
    });
    res.end(method === 'HEAD' ? undefined : bytes);
  };

  const upload = (res: ServerResponse, method: string, url: URL, name: string, id: string, body: Buffer) => {
    const digest = url.searchParams.get('digest');
    if (method === 'POST' && id === '') {
      const mount = url.searchParams.get('mount');
      if (mount && blobs.has(mount)) {
        repo(name).blobs.add(mount);
        return created(res, name, mount);
      }
      if (digest) {
        if (sha256(body) !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
        return created(res, name, storeBlob(name, body));
      }
      const uuid = randomUUID();
      uploads.set(uuid, { repository: name, chunks: [] });
      res.writeHead(202, {
        location: `/v2/${name}/blobs/uploads/${uuid}`,
        range: '0-0',
        'docker-upload-uuid': uuid,
      });
      res.end();
      return;
    }
    const session = uploads.get(id);
    if (!session || session.repository !== name)
      return error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
    if (body.length > 0) session.chunks.push(body);
    const size = session.chunks.reduce((n, c) => n + c.length, 0);
    if (method === 'PATCH') {
      res.writeHead(202, {
        location: `/v2/${name}/blobs/uploads/${id}`,
        range: `0-${Math.max(size - 1, 0)}`,
        'docker-upload-uuid': id,
      });
      res.end();
      return;
    }
    if (method !== 'PUT') return error(res, 405, 'UNSUPPORTED', 'method not allowed');
    const bytes = Buffer.concat(session.chunks);
    if (!digest || sha256(bytes) !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
    uploads.delete(id);
    created(res, name, storeBlob(name, bytes));
  };

  /** Logs a request as it arrives; its status is filled in when the answer is sent. */
  const log = (origin: LoggedRequest['origin'], req: IncomingMessage, res: ServerResponse): void => {
    const entry: LoggedRequest = {
      origin,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      authorization: req.headers.authorization,
      status: 0,
    };
    requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    log('registry', req, res);
    if (failures && failures.left > 0) {
      failures.left--;
      return error(res, failures.status, 'UNAVAILABLE', 'injected failure');
    }
    handle(req, res).catch(() => {
      if (!res.headersSent) error(res, 500, 'UNKNOWN', 'internal error');
      else res.destroy();
    });
  };
  const server = opts.tls
    ? createHttpsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, onRequest)
    : createServer(onRequest);
  origin = await listen(server, opts.tls ? 'https' : 'http');

  let cdn: Server | undefined;
  if (opts.redirectBlobs) {
    cdn = createServer((req, res) => {
      log('blobs', req, res);
      // A presigned-URL store refuses a request that also carries credentials (S3: InvalidArgument).
      if (req.headers.authorization)
        return error(res, 400, 'InvalidArgument', 'only one auth mechanism allowed');
      const digest = /^\/cdn\/(sha256:[a-f0-9]{64})$/.exec(new URL(req.url ?? '/', 'http://x').pathname)?.[1];
      const bytes = digest ? blobs.get(digest) : undefined;
      if (!bytes) return error(res, 404, 'NoSuchKey', 'not found');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      res.end(bytes);
    });
    blobOrigin = await listen(cdn);
  }

  const host = new URL(origin).host;
  return {
    origin,
    host,
    blobOrigin,
    url: (repository) => `oci://${host}/${repository}`,
    requests,
    putBlob: storeBlob,
    putManifest: storeManifest,
    corruptBlob(digest) {
      const bytes = blobs.get(digest);
      if (!bytes) throw new Error(`no blob ${digest}`);
      const copy = Buffer.from(bytes);
      copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0xff;
      blobs.set(digest, copy);
    },
    corruptManifest(repository, digest) {
      const found = repos.get(repository)?.manifests.get(digest);
      if (!found) throw new Error(`no manifest ${digest}`);
      found.bytes = Buffer.concat([found.bytes, Buffer.from(' ')]);
    },
    failRequests(status, count = 1) {
      failures = { status, left: count };
    },
    serveOversizedManifest(repository, tag, size) {
      const empty = storeBlob(repository, Buffer.from('{}'));
      const base = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
        layers: [],
        annotations: { padding: '' },
      };
      const overhead = Buffer.byteLength(JSON.stringify(base));
      base.annotations.padding = 'x'.repeat(Math.max(size - overhead, 0));
      return storeManifest(repository, Buffer.from(JSON.stringify(base)), base.mediaType, tag);
    },
    async close() {
      await Promise.all([server, cdn].map((s) => (s ? closeServer(s) : undefined)));
    },
  };
}

function created(res: ServerResponse, name: string, digest: string): void {
  res.writeHead(201, { location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest });
  res.end();
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { errors: [{ code, message }] });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function listen(server: Server, scheme = 'http'): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve(`${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
