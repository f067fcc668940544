// isomorphic-git's HTTP client, replaced: every request, redirects included (followed here, a few hops at
// most), is checked against the source address policy after DNS resolution and then connected to exactly
// the addresses that were checked. Credentials stay with their origin, plain HTTP carries none except to
// loopback, reason phrases are not passed on, a response body may not exceed the download limit, and a
// server that stops sending (or a fetch that runs past its deadline) ends the fetch instead of holding it.
import { request as httpRequest, type IncomingMessage, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { SluiceError } from '../../core/errors.ts';
import { formatBytes } from '../../core/git/snapshot-limits.ts';
import { classifyIp, parseIp } from '../../core/net/ip-address.ts';
import { isRedirect, nextHop } from '../../core/net/redirect-hop.ts';
import {
  assertSourceAddressAllowed,
  type SourceAddressPolicy,
  urlHost,
} from '../../core/net/source-address-policy.ts';
import type { HostResolver } from '../../ports/host-resolver.ts';

export interface GuardedHttpOptions {
  policy: SourceAddressPolicy;
  resolver: HostResolver;
  maxDownloadBytes: number;
  /** A request that receives nothing for this long fails (retryable). */
  idleTimeoutMs: number;
  /** Aborts every request of the fetch once the fetch has run too long. */
  deadline?: AbortSignal;
  /** certSecretRef material for https hops: a CA to trust, a client certificate and key (PEM). */
  tls?: { ca?: string | string[]; cert?: string; key?: string };
  /**
   * HelmRepository `spec.passCredentials`: the user's explicit opt-in to credentials following a redirect
   * to another origin (still never over plain HTTP except to loopback). Off for every other source.
   */
  keepCredentialsAcrossOrigins?: boolean;
}

/** Headers that carry credentials: dropped on a redirect to another origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * One client per fetch. `failure` keeps the first refusal or limit it raised: isomorphic-git swallows
 * some errors thrown while it reads a body, and the fetch should report ours rather than what follows.
 */
export class GuardedHttp implements HttpClient {
  failure: SluiceError | undefined;
  private readonly opts: GuardedHttpOptions;

  constructor(opts: GuardedHttpOptions) {
    this.opts = opts;
  }

  request = async (req: GitHttpRequest): Promise<GitHttpResponse> => {
    try {
      return await this.follow(req);
    } catch (err) {
      throw this.fail(err, new URL(req.url));
    }
  };

  /** Our own errors are kept for the fetch to report; an abort at the deadline becomes one of them. */
  private fail(err: unknown, url: URL): unknown {
    const ours =
      err instanceof SluiceError
        ? err
        : this.opts.deadline?.aborted
          ? new SluiceError('GitFetchFailed', `fetching ${url.origin} ran past its deadline; will retry`, {
              retryable: true,
            })
          : undefined;
    if (!ours) return err;
    this.failure ??= ours;
    return ours;
  }

  private async follow(req: GitHttpRequest): Promise<GitHttpResponse> {
    const start = new URL(req.url);
    let url = start;
    let method = req.method ?? 'GET';
    let body = req.body ? await collect(req.body) : undefined;
    let headers: Record<string, string> = { ...req.headers };
    for (let hops = 0; ; hops++) {
      assertCredentialsTransport(url, headers);
      const addresses = await this.addressesOf(url);
      const res = await send(url, method, headers, body, addresses, this.opts);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (!isRedirect(status) || !location) {
        return {
          url: url.toString(),
          method,
          statusCode: status,
          // The server's reason phrase is its own text: only the standard one is passed on.
          statusMessage: STATUS_CODES[status] ?? '',
          headers: flatHeaders(res),
          body: this.limited(res, url),
        };
      }
      res.resume();
      const hop = nextHop(start, url, method, status, location, hops);
      if (!hop.sameOrigin && !this.opts.keepCredentialsAcrossOrigins) {
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())),
        );
      }
      if (hop.method !== method) {
        body = undefined;
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => !/^content-(type|length|encoding)$/i.test(k)),
        );
      }
      url = hop.url;
      method = hop.method;
    }
  }

  /** The addresses the policy allowed for this URL's host; the connection may use no other. */
  private async addressesOf(url: URL): Promise<string[]> {
    const host = urlHost(url);
    const literal = parseIp(host);
    const addresses = literal ? [host] : await this.opts.resolver.resolve(host);
    assertSourceAddressAllowed(this.opts.policy, url, addresses);
    return addresses;
  }

  private async *limited(res: IncomingMessage, url: URL): AsyncIterableIterator<Uint8Array> {
    let received = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > this.opts.maxDownloadBytes) {
          res.destroy();
          throw new SluiceError(
            'LimitExceeded',
            `${url.origin} sent more than ${formatBytes(this.opts.maxDownloadBytes)} in one response, the download limit per request; exclude large files from the repository or raise the limit`,
          );
        }
        yield chunk;
      }
    } catch (err) {
      throw this.fail(err, url);
    }
  }
}

/** source-controller's rule, applied to every hop: no credentials over plain HTTP except to loopback. */
function assertCredentialsTransport(url: URL, headers: Record<string, string>): void {
  if (url.protocol !== 'http:') return;
  if (!Object.keys(headers).some((k) => CREDENTIAL_HEADERS.has(k.toLowerCase()))) return;
  const host = urlHost(url);
  const ip = parseIp(host);
  if (host === 'localhost' || (ip && classifyIp(ip) === 'loopback')) return;
  throw new SluiceError(
    'GitAuthFailed',
    `credentials cannot be sent over plain HTTP to ${url.host}; use an https:// URL`,
    { field: 'spec.url' },
  );
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  addresses: string[],
  opts: GuardedHttpOptions,
): Promise<IncomingMessage> {
  // Connect to what was checked, not to what a second DNS answer might say (rebinding).
  const lookup: LookupFunction = (_host, options, callback) => {
    const all = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof all) => void)(null, all);
    else callback(null, all[0]?.address ?? '', all[0]?.family ?? 4);
  };
  const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = requester(
      url,
      {
        method,
        headers: { ...headers, ...(body && { 'content-length': String(body.length) }) },
        lookup,
        ...(opts.deadline && { signal: opts.deadline }),
        ...(url.protocol === 'https:' && opts.tls),
      },
      resolve,
    );
    // Idle on the socket, also while the body streams: the response then fails with this error.
    req.setTimeout(opts.idleTimeoutMs, () => {
      req.destroy(
        new SluiceError(
          'GitFetchFailed',
          `${url.origin} sent nothing for ${Math.round(opts.idleTimeoutMs / 1000)} s; will retry`,
          { retryable: true },
        ),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function collect(body: AsyncIterableIterator<Uint8Array> | Uint8Array[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
