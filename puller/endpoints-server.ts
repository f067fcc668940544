// The puller's HTTP endpoints: /healthz (the loop is not wedged), /readyz (a recent full pass succeeded)
// and /metrics (Prometheus text format). Read-only, no request body, nothing but these three paths.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXPOSITION_CONTENT_TYPE } from '../shared/core/metrics/exposition.ts';
import type { Verdict } from '../shared/core/pipeline/puller-health.ts';
import type { ProcessReading } from '../shared/usecases/puller/puller-telemetry.ts';

/** What the endpoints read; PullerTelemetry is one. */
export interface EndpointsSource {
  liveness(): Verdict;
  readiness(): Verdict;
  exposition(process: ProcessReading): string;
}

export interface ListenAddress {
  host: string;
  /** 0: any free port (tests). */
  port: number;
}

export interface EndpointsServer {
  /** http://host:port, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** Probes come every few seconds and a scrape every 15–60 s: a handful of connections is plenty. */
const MAX_CONNECTIONS = 32;

export async function serveEndpoints(source: EndpointsSource, at: ListenAddress): Promise<EndpointsServer> {
  const server = createServer((req, res) => answer(source, req, res));
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Answer {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

const TEXT = 'text/plain; charset=utf-8';

function answer(source: EndpointsSource, req: IncomingMessage, res: ServerResponse): void {
  const a = answerFor(source, (req.url ?? '/').split('?')[0] ?? '/', req.method ?? 'GET');
  res.writeHead(a.status, {
    'Content-Type': a.type,
    'Content-Length': Buffer.byteLength(a.body),
    'Cache-Control': 'no-store',
    ...a.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : a.body);
}

function answerFor(source: EndpointsSource, path: string, method: string): Answer {
  if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics')
    return { status: 404, type: TEXT, body: 'not found: try /healthz, /readyz or /metrics\n' };
  if (method !== 'GET' && method !== 'HEAD')
    return { status: 405, type: TEXT, body: 'method not allowed\n', headers: { Allow: 'GET, HEAD' } };
  if (path === '/metrics') {
    const usage = process.cpuUsage();
    const body = source.exposition({
      residentBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
      cpuSeconds: (usage.user + usage.system) / 1e6,
    });
    return { status: 200, type: EXPOSITION_CONTENT_TYPE, body };
  }
  const verdict = path === '/healthz' ? source.liveness() : source.readiness();
  return {
    status: verdict.ok ? 200 : 503,
    type: TEXT,
    body: `${verdict.ok ? 'ok' : 'failing'}: ${verdict.reason}\n`,
  };
}
