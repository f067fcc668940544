// One conversation with a registry for one repository: every request goes through GuardedHttp (address policy
// on every hop, the token realm included; credentials dropped on cross-origin redirects), answers a 401
// challenge once (anonymous or basic-authenticated bearer token, or basic auth), and maps transport failures.
import { createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { GitHttpResponse } from 'isomorphic-git';
import { SluiceError } from '../../core/errors.ts';
import type { SourceAddressPolicy } from '../../core/net/source-address-policy.ts';
import { parseChallenge } from '../../core/oci/www-authenticate.ts';
import type { HostResolver } from '../../ports/host-resolver.ts';
import type { SourceCredentials, TlsMaterial } from '../../ports/remote-access.ts';
import { GuardedHttp } from '../git/guarded-http.ts';
import { authFailed, statusFailed, transportFailed } from '../net/source-http-errors.ts';

export interface SessionOptions {
  policy: SourceAddressPolicy;
  resolver: HostResolver;
  idleTimeoutMs: number;
  deadline: AbortSignal;
  /** `http:` for `spec.insecure`, else `https:`. */
  protocol: 'http:' | 'https:';
  host: string;
  repository: string;
  credentials: SourceCredentials | undefined;
  /** When the credentials are not the Secret's (an ECR login): what to fix on a refusal, and its field. */
  authFix?: { fix: string; field: string };
  /** certSecretRef: a CA added to the system's, a client certificate. */
  tls: TlsMaterial | undefined;
  /** Authorization headers that worked, per registry, repository and credentials; shared by the client. */
  authCache: Map<string, { header: string; expiresAt: number }>;
}

export interface RegistryResponse {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterableIterator<Uint8Array> | undefined;
  url: string;
}

const TOKEN_RESPONSE_LIMIT = 1024 * 1024;
/** A bearer token whose response says nothing of its lifetime is reused this long (the spec's default). */
const DEFAULT_TOKEN_SECONDS = 60;

export class RegistrySession {
  readonly display: string;
  private readonly o: SessionOptions;
  private readonly base: URL;
  private readonly cacheKey: string;
  private authorization: string | undefined;
  /** The header came from the cache: a 401 to it means it expired, not that the login is wrong. */
  private cached = false;

  constructor(opts: SessionOptions) {
    this.o = opts;
    this.base = new URL(`${opts.protocol}//${opts.host}`);
    this.display = `oci://${opts.host}/${opts.repository}`;
    const who = createHash('sha256')
      .update(JSON.stringify(opts.credentials ?? {}))
      .digest('hex');
    this.cacheKey = `${this.base.origin}|${opts.repository}|${who}`;
    const cached = opts.authCache.get(this.cacheKey);
    if (cached && cached.expiresAt > Date.now()) {
      this.authorization = cached.header;
      this.cached = true;
    } else if (opts.credentials?.bearerToken) this.authorization = `Bearer ${opts.credentials.bearerToken}`;
  }

  /** `path` is relative to `/v2/<repository>/`; a 401 is answered once with what the challenge asks for. */
  async get(path: string, accept: string, limit: number): Promise<RegistryResponse> {
    const url = new URL(`/v2/${this.o.repository}/${path}`, this.base);
    return this.getUrl(url, accept, limit);
  }

  async getUrl(url: URL, accept: string, limit: number): Promise<RegistryResponse> {
    const first = await this.send(url, accept, limit, this.authorization);
    if (first.status !== 401) return first;
    await drain(first);
    const tried = this.cached ? undefined : this.authorization;
    this.cached = false;
    const next = await this.answer(first.headers['www-authenticate'], tried);
    const second = await this.send(url, accept, limit, next.header);
    if (second.status === 401 || second.status === 403) await drain(second);
    else {
      this.authorization = next.header;
      this.o.authCache.set(this.cacheKey, next);
    }
    return second;
  }

  /** A failure for a refused or missing login, naming where the credentials come from. */
  authFailed(status: number): SluiceError {
    return authFailed(this.display, status, this.o.credentials !== undefined, this.o.authFix);
  }

  private async answer(header: string | undefined, tried: string | undefined) {
    const challenge = parseChallenge(header);
    const creds = this.o.credentials;
    const basic =
      creds?.username !== undefined && creds.password !== undefined
        ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`
        : undefined;
    if (challenge?.scheme === 'basic' && basic && tried !== basic) {
      return { header: basic, expiresAt: Number.POSITIVE_INFINITY };
    }
    if (challenge?.scheme === 'bearer' && !tried?.startsWith('Bearer ')) {
      return this.token(challenge.params, basic);
    }
    throw this.authFailed(401);
  }

  /** The token flow: the realm the registry named, under the same address policy, with basic credentials if any. */
  private async token(params: Record<string, string>, basic: string | undefined) {
    let realm: URL;
    try {
      realm = new URL(params.realm ?? '');
    } catch {
      throw new SluiceError(
        'SourceFetchFailed',
        `${this.display} named no usable token realm in its challenge`,
        {
          field: 'spec.url',
        },
      );
    }
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && this.o.protocol === 'http:')) {
      throw new SluiceError(
        'SourceAddressRefused',
        `${this.display} named the token realm ${realm.origin}, which is not https; only a registry with spec.insecure may use a plain-http realm`,
        { field: 'spec.url' },
      );
    }
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? `repository:${this.o.repository}:pull`);
    const res = await this.send(realm, 'application/json', TOKEN_RESPONSE_LIMIT, basic);
    if (res.status === 401 || res.status === 403) {
      await drain(res);
      throw this.authFailed(res.status);
    }
    const body = await readAll(this, res, TOKEN_RESPONSE_LIMIT, 'token response');
    if (res.status !== 200) throw statusFailed(`the token endpoint of ${this.display}`, res.status);
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = {};
    }
    const token = typeof parsed.token === 'string' ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new SluiceError('SourceFetchFailed', `the token endpoint of ${this.display} answered no token`, {
        field: 'spec.url',
      });
    }
    const seconds = typeof parsed.expires_in === 'number' ? parsed.expires_in : DEFAULT_TOKEN_SECONDS;
    // Renewed a little early, so a token does not expire between a manifest and its blob.
    return { header: `Bearer ${token}`, expiresAt: Date.now() + Math.max(seconds - 10, 1) * 1000 };
  }

  private async send(url: URL, accept: string, limit: number, authorization: string | undefined) {
    const http = new GuardedHttp({
      policy: this.o.policy,
      resolver: this.o.resolver,
      maxDownloadBytes: limit,
      idleTimeoutMs: this.o.idleTimeoutMs,
      deadline: this.o.deadline,
      ...(this.o.tls && { tls: tlsOptions(this.o.tls) }),
    });
    const headers: Record<string, string> = { accept, 'user-agent': 'sluice' };
    if (authorization) headers.authorization = authorization;
    let res: GitHttpResponse;
    try {
      res = await http.request({ url: url.toString(), method: 'GET', headers });
    } catch (err) {
      throw transportFailed(this.display, err, this.o.deadline);
    }
    return {
      status: res.statusCode,
      headers: res.headers ?? {},
      body: res.body as RegistryResponse['body'],
      url: res.url,
    };
  }
}

/** As Flux does, a certSecretRef CA is trusted in addition to the system's, not instead of it. */
function tlsOptions(tls: TlsMaterial): { ca?: string[]; cert?: string; key?: string } {
  return {
    ...(tls.caPem && { ca: [...rootCertificates, tls.caPem] }),
    ...(tls.certPem && { cert: tls.certPem }),
    ...(tls.keyPem && { key: tls.keyPem }),
  };
}

/** Reads a whole (bounded) body; `what` names it in the limit message. */
export async function readAll(
  session: RegistrySession,
  res: RegistryResponse,
  limit: number,
  what: string,
  deadline?: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk));
  } catch (err) {
    throw transportFailed(session.display, err, deadline, {
      what: `${what} of ${session.display}`,
      bytes: limit,
    });
  }
  return Buffer.concat(chunks);
}

export async function drain(res: RegistryResponse): Promise<void> {
  try {
    for await (const _ of res.body ?? []) {
      // discarded: an error page
    }
  } catch {
    // an error page that fails to arrive changes nothing
  }
}
