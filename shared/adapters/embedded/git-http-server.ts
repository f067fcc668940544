// A local Git host: a loopback HTTP server running the real `git http-backend` CGI (smart HTTP, protocol
// v0/v1/v2, gzip bodies) over the bare repos in a directory. Embedded mode serves its fleet repo with it,
// behind a generated token; without credentials it listens on loopback only.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { assertListenAddress } from './listen-address.ts';

export type GitHttpAuth = { username: string; password: string } | { bearerToken: string };

export interface GitHttpServerOptions {
  /** Directory holding the bare repos (GIT_PROJECT_ROOT); every repo in it is exported. */
  root: string;
  /** When set, any request without this exact `Authorization` gets 401 + `WWW-Authenticate: Basic realm="sluice"`. */
  auth?: GitHttpAuth;
  /** Listen address; loopback unless configured, and another address only with `auth`. */
  host?: string;
  /** 0 (default) picks a free port; a fixed port keeps repository URLs stable across restarts. */
  port?: number;
}

export interface GitHttpRequestLog {
  method: string;
  /** Request target as received: path plus query string, e.g. `/app.git/info/refs?service=git-upload-pack`. */
  path: string;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>/<repo>`; `.git` is appended unless `repo` already ends with it. */
  url(repo: string): string;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Every request received, in order, including rejected (401) ones; a stable array you may slice or clear. */
  readonly requests: GitHttpRequestLog[];
  /** Same as `requests.length`. */
  readonly requestCount: number;
  /** stderr of CGI runs that exited non-zero or were killed; handy when a test fails oddly. */
  readonly errors: string[];
  /** Kills in-flight CGI children, drops all connections and stops listening. Idempotent. */
  close(): Promise<void>;
}

let backendCommand: [string, string[]] | undefined;

/** `<exec-path>/git-http-backend` if present, else `git http-backend`. */
function httpBackend(): [string, string[]] {
  if (!backendCommand) {
    const execPath = execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim();
    const direct = join(execPath, 'git-http-backend');
    backendCommand = existsSync(direct) ? [direct, []] : ['git', ['http-backend']];
  }
  return backendCommand;
}

function expectedAuthorization(auth: GitHttpAuth): string {
  if ('bearerToken' in auth) return `Bearer ${auth.bearerToken}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

function sameSecret(given: string | undefined, wanted: Buffer): boolean {
  const b = Buffer.from(given ?? '');
  return b.length === wanted.length && timingSafeEqual(b, wanted);
}

function cgiEnv(req: IncomingMessage, root: string, remoteUser: string | undefined): NodeJS.ProcessEnv {
  const target = new URL(req.url ?? '/', 'http://127.0.0.1');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: 'sluice-test-git-http-server',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(target.pathname),
    QUERY_STRING: target.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
  };
  if (remoteUser) env.REMOTE_USER = remoteUser;
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const contentType = header('content-type');
  if (contentType) env.CONTENT_TYPE = contentType;
  const contentLength = header('content-length');
  if (contentLength) env.CONTENT_LENGTH = contentLength;
  // http-backend inflates gzip/x-gzip bodies itself when told the encoding.
  const encoding = header('content-encoding');
  if (encoding) env.HTTP_CONTENT_ENCODING = encoding;
  const protocol = header('git-protocol');
  if (protocol) {
    env.HTTP_GIT_PROTOCOL = protocol;
    env.GIT_PROTOCOL = protocol;
  }
  return env;
}

/** Splits CGI output at the blank line ending the headers; undefined until it has arrived. */
function splitCgiHead(buf: Buffer): { head: string; body: Buffer } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return undefined;
  const [at, len] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : [lf, 2];
  return { head: buf.subarray(0, at).toString('latin1'), body: buf.subarray(at + len) };
}

function writeCgiHead(res: ServerResponse, head: string): void {
  let status = 200;
  let reason: string | undefined;
  const headers: Record<string, string[]> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const match = /^(\d{3})\s*(.*)$/.exec(value);
      if (match) {
        status = Number(match[1]);
        reason = match[2] || undefined;
      }
    } else {
      const values = headers[name] ?? [];
      values.push(value);
      headers[name] = values;
    }
  }
  for (const [name, values] of Object.entries(headers)) res.setHeader(name, values);
  if (reason) res.writeHead(status, reason);
  else res.writeHead(status);
}

/** Starts the server on 127.0.0.1 with an OS-assigned port. */
export async function startGitHttpServer(opts: GitHttpServerOptions): Promise<GitHttpServer> {
  assertListenAddress('the Git server', opts.host ?? '127.0.0.1', opts.auth !== undefined);
  const [command, baseArgs] = httpBackend();
  const wantedAuth = opts.auth ? Buffer.from(expectedAuthorization(opts.auth)) : undefined;
  const remoteUser = opts.auth && 'username' in opts.auth ? opts.auth.username : undefined;
  const requests: GitHttpRequestLog[] = [];
  const errors: string[] = [];
  const children = new Set<ChildProcess>();
  const exited = new Set<Promise<void>>();

  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/' });
    if (wantedAuth && !sameSecret(req.headers.authorization, wantedAuth)) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="sluice"', 'Content-Type': 'text/plain' });
      res.end('Unauthorized\n');
      return;
    }

    const child = spawn(command, baseArgs, {
      env: cgiEnv(req, opts.root, remoteUser),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const done = new Promise<void>((resolve) => {
      child.on('close', (code, signal) => {
        children.delete(child);
        if (code !== 0) errors.push(`${req.method} ${req.url}: exit ${code ?? signal}\n${stderr}`);
        resolve();
      });
    });
    exited.add(done);
    void done.then(() => exited.delete(done));
    child.on('error', (err) => {
      errors.push(`${req.method} ${req.url}: spawn failed: ${err.message}`);
      if (!res.headersSent) res.writeHead(500).end(`spawn failed: ${err.message}\n`);
    });

    // The backend may exit before reading the whole body (e.g. a 404); ignore the resulting EPIPE.
    child.stdin.on('error', () => {});
    req.pipe(child.stdin);

    let pending: Buffer = Buffer.alloc(0);
    const onHeadData = (chunk: Buffer): void => {
      pending = Buffer.concat([pending, chunk]);
      const split = splitCgiHead(pending);
      if (!split) return;
      child.stdout.off('data', onHeadData);
      child.stdout.off('end', onEndBeforeHead);
      writeCgiHead(res, split.head);
      if (split.body.length > 0) res.write(split.body);
      child.stdout.pipe(res);
    };
    const onEndBeforeHead = (): void => {
      child.stdout.off('data', onHeadData);
      if (res.headersSent) return;
      void done.then(() => {
        if (!res.headersSent)
          res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`bad CGI output\n${stderr}`);
      });
    };
    child.stdout.on('data', onHeadData);
    child.stdout.on('end', onEndBeforeHead);

    // Client went away (or the server is closing) before the response finished: stop the backend.
    res.on('close', () => {
      if (!res.writableFinished && child.exitCode === null && child.signalCode === null)
        child.kill('SIGKILL');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${opts.host ?? '127.0.0.1'}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const child of children) child.kill('SIGKILL');
      server.closeAllConnections();
      await Promise.all([stopped, ...exited]);
    })();
    return closing;
  };

  return {
    url: (repo) => `${origin}/${repo.replace(/^\/+/, '')}${repo.endsWith('.git') ? '' : '.git'}`,
    origin,
    port,
    requests,
    get requestCount() {
      return requests.length;
    },
    errors,
    close,
  };
}
