// A Helm chart repository stand-in on 127.0.0.1: serves a directory of charts packaged and indexed by the
// real bundled helm, with optional basic/bearer auth, ETag/If-None-Match on index.yaml, chart downloads
// redirected to another origin, injected failures, TLS, and a log of every request for assertions.
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { buildChartRepo, type FixtureChart, indexChartRepo } from './helm-charts.ts';

export interface ChartRepoServerOptions {
  /** The directory served; a fresh one (removed on close) when absent. */
  dir?: string;
  /** Where the repository lives on the server: its URL is `<origin><basePath>`. Default `/charts`. */
  basePath?: string;
  /** Every request must carry these (or the bearer token, when both are set). */
  basicAuth?: { username: string; password: string };
  bearerToken?: string;
  /** ETag on index.yaml and 304 for a matching If-None-Match (default true). */
  etag?: boolean;
  /** Chart archives are answered with a 302 to `<redirectChartsTo>/<file>` (after the auth check). */
  redirectChartsTo?: string;
  /** Serve HTTPS; with `clientCaPem`, a client certificate signed by it is required. */
  tls?: { certPem: string; keyPem: string; clientCaPem?: string };
}

export interface ChartRepoRequest {
  method: string;
  /** The request path (and query) as sent. */
  path: string;
  /** Whether the request carried an Authorization header (any scheme). */
  authorization: boolean;
  /** `basic`, `bearer`, another scheme in lower case, or undefined. */
  authScheme: string | undefined;
  ifNoneMatch: string | undefined;
  status: number;
}

export interface AddChartsOptions {
  /**
   * The `--url` given to `helm repo index`: the server's own URL when absent, another base (a second
   * server) as given, or `false` for relative URLs (bare file names).
   */
  chartUrlBase?: string | false;
  /** `helm repo index --json`: an index.yaml holding JSON. */
  json?: boolean;
}

export interface ChartRepoServer {
  /** `http(s)://127.0.0.1:<port>` */
  origin: string;
  /** The repository URL: `<origin><basePath>` (no trailing slash). */
  url: string;
  dir: string;
  /** The throwaway HELM_* home the server packages with (reusable by the test). */
  helmHome: string;
  requests: ChartRepoRequest[];
  clearRequests(): void;
  /** Packages `charts` into the served directory with the real helm and re-indexes it. */
  addCharts(charts: readonly FixtureChart[], opts?: AddChartsOptions): Promise<void>;
  /** Re-runs `helm repo index` over what is in the directory. */
  reindex(opts?: AddChartsOptions): Promise<void>;
  /** Answers every request with `status` until called with undefined. */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

export async function startChartRepoServer(opts: ChartRepoServerOptions = {}): Promise<ChartRepoServer> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-chart-repo-'));
  const dir = opts.dir ?? join(root, 'repo');
  const helmHome = join(root, 'helm-home');
  const basePath = `/${(opts.basePath ?? '/charts').replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  const requests: ChartRepoRequest[] = [];
  let failure: number | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? '/';
    const authHeader = req.headers.authorization;
    const answer = (status: number, headers: Record<string, string> = {}, body?: Buffer | string) => {
      requests.push({
        method: req.method ?? 'GET',
        path,
        authorization: authHeader !== undefined,
        authScheme: authHeader?.split(' ')[0]?.toLowerCase(),
        ifNoneMatch: req.headers['if-none-match'],
        status,
      });
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (failure !== undefined) return answer(failure, {}, `injected ${failure}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405);
    if (!authorized(authHeader, opts)) {
      return answer(401, { 'www-authenticate': 'Basic realm="charts"' }, 'unauthorized\n');
    }
    const file = servedFile(dir, basePath, path);
    if (!file) return answer(404, {}, 'not found\n');
    if (opts.redirectChartsTo && file.rel.endsWith('.tgz')) {
      return answer(302, { location: `${opts.redirectChartsTo.replace(/\/+$/, '')}/${file.rel}` });
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file.abs);
    } catch {
      return answer(404, {}, 'not found\n');
    }
    const isIndex = file.rel === 'index.yaml';
    const headers: Record<string, string> = {
      'content-type': isIndex ? 'text/yaml' : 'application/gzip',
      'content-length': String(bytes.length),
    };
    if (isIndex && opts.etag !== false) {
      const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"`;
      headers.etag = etag;
      if (matchesEtag(req.headers['if-none-match'], etag)) return answer(304, { etag });
    }
    answer(200, headers, bytes);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server: Server = opts.tls
    ? createHttpsServer(
        {
          cert: opts.tls.certPem,
          key: opts.tls.keyPem,
          ...(opts.tls.clientCaPem && {
            ca: opts.tls.clientCaPem,
            requestCert: true,
            rejectUnauthorized: true,
          }),
        },
        listener,
      )
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const url = `${origin}${basePath}`;

  const indexOptions = (o: AddChartsOptions = {}) => ({
    home: helmHome,
    ...(o.chartUrlBase !== false && { url: o.chartUrlBase ?? url }),
    ...(o.json && { json: true }),
  });

  return {
    origin,
    url,
    dir,
    helmHome,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    addCharts: (charts, o) => buildChartRepo(dir, charts, indexOptions(o)),
    reindex: (o) => indexChartRepo(dir, indexOptions(o)),
    failWith: (status) => {
      failure = status;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Either configured credential admits the request; no configuration admits every request. */
function authorized(header: string | undefined, opts: ChartRepoServerOptions): boolean {
  if (!opts.basicAuth && opts.bearerToken === undefined) return true;
  if (!header) return false;
  const [scheme, value = ''] = header.split(' ', 2);
  if (opts.basicAuth && scheme?.toLowerCase() === 'basic') {
    const expected = Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64');
    return same(value, expected);
  }
  if (opts.bearerToken !== undefined && scheme?.toLowerCase() === 'bearer') {
    return same(value, opts.bearerToken);
  }
  return false;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

/** The file a request path names inside the served directory, or undefined outside it. */
function servedFile(
  dir: string,
  basePath: string,
  rawPath: string,
): { abs: string; rel: string } | undefined {
  const pathname = rawPath.split('?')[0] ?? '';
  if (!pathname.startsWith(`${basePath}/`)) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.slice(basePath.length + 1));
  } catch {
    return undefined;
  }
  // Strict like most static servers: `//index.yaml` (a client joining `<url>/` and `/index.yaml`) is a
  // miss, so a client that mangles trailing slashes shows up in tests. Nothing may leave `dir`.
  const normalized = normalize(rel);
  if (
    rel === '' ||
    rel.startsWith('/') ||
    normalized.startsWith('..') ||
    normalized.includes(`${sep}..`) ||
    rel.includes('\0')
  ) {
    return undefined;
  }
  return { abs: join(dir, normalized), rel: normalized.split(sep).join('/') };
}
