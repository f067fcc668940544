// An HTTP(S) Helm chart repository as source-controller reads one: `<url>/index.yaml` (conditional on the
// stored ETag) and chart archives checked against the index digest. Every request goes through GuardedHttp
// (address policy on every hop, bounded bodies, deadlines); credentials go only to the repository's host
// and stay with their origin across redirects unless spec.passCredentials says otherwise.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { rootCertificates } from 'node:tls';
import { SluiceError } from '../../core/errors.ts';
import { redactUrl } from '../../core/git/select-ref.ts';
import { MAX_INDEX_BYTES, parseChartIndex } from '../../core/helm/chart-index.ts';
import type { SourceAddressPolicy } from '../../core/net/source-address-policy.ts';
import type {
  ChartVersionEntry,
  HelmIndexResult,
  HelmRepositoryClient,
} from '../../ports/helm-repository.ts';
import type { HostResolver } from '../../ports/host-resolver.ts';
import type { RemoteAccess, TlsMaterial } from '../../ports/remote-access.ts';
import { GuardedHttp } from '../git/guarded-http.ts';
import { authFailed, statusFailed, transportFailed } from '../net/source-http-errors.ts';

export interface HttpHelmRepositoryOptions {
  policy: SourceAddressPolicy;
  resolver: HostResolver;
  /** A request that receives nothing for this long fails (retryable). Default 30 s. */
  idleTimeoutMs?: number;
  /** The whole of one call when the object sets no spec.timeout (Flux's default is 60 s). */
  defaultTimeoutMs?: number;
  maxIndexBytes?: number;
  /** Charts are compressed text trees; Flux's own default limit is 10 MiB. */
  maxChartBytes?: number;
}

const DEFAULT_MAX_CHART_BYTES = 64 * 1024 * 1024;

interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class HttpHelmRepository implements HelmRepositoryClient {
  private readonly o: HttpHelmRepositoryOptions;

  constructor(opts: HttpHelmRepositoryOptions) {
    this.o = opts;
  }

  async fetchIndex(url: string, access: RemoteAccess, etag?: string): Promise<HelmIndexResult> {
    const repo = repositoryUrl(url, access);
    const indexUrl = new URL(repo.toString());
    // As source-controller joins them: `<path>/index.yaml` with slashes collapsed, the query kept.
    indexUrl.pathname = posix.join(indexUrl.pathname, 'index.yaml');
    const where = redactUrl(indexUrl.toString());
    const limit = this.o.maxIndexBytes ?? MAX_INDEX_BYTES;
    const res = await this.get(indexUrl, access, true, where, limit, etag ? { 'if-none-match': etag } : {});
    if (res.status === 304 && etag) return { notModified: true };
    if (res.status === 404) {
      throw new SluiceError(
        'ArtifactNotFound',
        `${where} not found (HTTP 404); is spec.url a Helm repository?`,
        {
          field: 'spec.url',
        },
      );
    }
    this.assertOk(res.status, where, access);
    // As source-controller does before storing an index: a page that is no index (a login form, a
    // GitHub Pages 200 for a wrong path) fails here, on the HelmRepository, not later on every HelmChart.
    parseChartIndex(res.body, repo.toString());
    const digest = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
    const newEtag = res.headers.etag;
    return { notModified: false, bytes: res.body, digest, ...(newEtag && { etag: newEtag }) };
  }

  async downloadChart(
    repositoryUrlText: string,
    entry: ChartVersionEntry,
    access: RemoteAccess,
  ): Promise<Buffer> {
    const repo = repositoryUrl(repositoryUrlText, access);
    const what = `chart ${entry.name} ${entry.version}`;
    const first = entry.urls[0];
    if (!first) {
      throw new SluiceError(
        'ArtifactNotFound',
        `${what} has no URL in the index of ${redactUrl(repo.toString())}`,
        {
          field: 'spec.version',
        },
      );
    }
    const chartUrl = resolveChartUrl(repo, first, what);
    // Flux's rule (helm's getter compares host and port): credentials go to the repository's host only,
    // unless spec.passCredentials sends them to charts hosted elsewhere too. The scheme must match as well:
    // an https repository's credentials never ride along to an http chart URL of the same host.
    const sameHost = chartUrl.host === repo.host && chartUrl.protocol === repo.protocol;
    const where = `${what} at ${redactUrl(chartUrl.toString())}`;
    const limit = this.o.maxChartBytes ?? DEFAULT_MAX_CHART_BYTES;
    const res = await this.get(
      chartUrl,
      access,
      sameHost || access.passCredentials === true,
      where,
      limit,
      {},
    );
    if (res.status === 404) {
      throw new SluiceError(
        'ArtifactNotFound',
        `${where} not found (HTTP 404); the index lists it, but the repository does not serve it`,
        { field: 'spec.version' },
      );
    }
    this.assertOk(res.status, where, access);
    if (entry.digest) {
      const expected = entry.digest.replace(/^sha256:/, '').toLowerCase();
      const actual = createHash('sha256').update(res.body).digest('hex');
      if (actual !== expected) {
        throw new SluiceError(
          'ArchiveRejected',
          `${what} from ${redactUrl(chartUrl.toString())} does not match the digest in the index (sha256:${expected}, got sha256:${actual}); the archive was changed or corrupted, it is refused`,
          { field: 'spec.version' },
        );
      }
    }
    return res.body;
  }

  private assertOk(status: number, where: string, access: RemoteAccess): void {
    if (status === 401 || status === 403)
      throw authFailed(where, status, credentialHeader(access) !== undefined);
    if (status < 200 || status > 299) throw statusFailed(where, status);
  }

  /** One GET through GuardedHttp, body read whole (bounded), every failure mapped to a source error. */
  private async get(
    url: URL,
    access: RemoteAccess,
    withCredentials: boolean,
    where: string,
    limit: number,
    extra: Record<string, string>,
  ): Promise<Fetched> {
    const deadline = AbortSignal.timeout(access.timeoutMs ?? this.o.defaultTimeoutMs ?? 60_000);
    const http = new GuardedHttp({
      policy: this.o.policy,
      resolver: this.o.resolver,
      maxDownloadBytes: limit,
      idleTimeoutMs: this.o.idleTimeoutMs ?? 30_000,
      deadline,
      ...(access.tls && { tls: tlsOptions(access.tls) }),
      ...(access.passCredentials && { keepCredentialsAcrossOrigins: true }),
    });
    const headers: Record<string, string> = { 'user-agent': 'sluice', ...extra };
    const authorization = withCredentials ? credentialHeader(access) : undefined;
    if (authorization) headers.authorization = authorization;
    const sizeLimit = { what: where, bytes: limit };
    try {
      const res = await http.request({ url: url.toString(), method: 'GET', headers });
      const chunks: Buffer[] = [];
      for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk));
      return { status: res.statusCode, headers: res.headers ?? {}, body: Buffer.concat(chunks) };
    } catch (err) {
      throw transportFailed(where, err, deadline, sizeLimit);
    }
  }
}

/** The repository URL, checked: http(s) only, no userinfo (credentials belong in spec.secretRef). */
function repositoryUrl(text: string, access: RemoteAccess): URL {
  if (access.provider !== undefined && access.provider !== 'generic') {
    throw new SluiceError(
      'ValidationFailed',
      `spec.provider ${access.provider} applies only to OCI repositories (type: oci); an HTTP chart repository takes its credentials from spec.secretRef, so set provider: generic or remove it`,
      { field: 'spec.provider' },
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SluiceError('ValidationFailed', `${redactUrl(text)} is not a URL; use https://…`, {
      field: 'spec.url',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SluiceError(
      'ValidationFailed',
      `${redactUrl(text)} is not an http(s) URL; an OCI repository needs type: oci`,
      { field: 'spec.url' },
    );
  }
  if (url.username || url.password) {
    throw new SluiceError(
      'ValidationFailed',
      `${redactUrl(text)} carries credentials in the URL; put them in the Secret spec.secretRef names`,
      { field: 'spec.url' },
    );
  }
  return url;
}

/** An index URL as source-controller resolves it: relative to the repository URL (as a folder), with the
 *  repository's query. */
function resolveChartUrl(repo: URL, ref: string, what: string): URL {
  let url: URL;
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) url = new URL(ref);
    else {
      const base = new URL(repo.toString());
      base.pathname = base.pathname.replace(/\/*$/, '/');
      url = new URL(ref, base);
      url.search = base.search;
    }
  } catch {
    throw new SluiceError('SourceFetchFailed', `${what} has a URL in the index that is not a URL`, {
      field: 'spec.url',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SluiceError(
      'SourceFetchFailed',
      `${what} is listed at a ${url.protocol} URL; only http(s) chart URLs are fetched from an HTTP repository`,
      { field: 'spec.url' },
    );
  }
  // Never take credentials from an index: they would go wherever the index said.
  url.username = '';
  url.password = '';
  return url;
}

function credentialHeader(access: RemoteAccess): string | undefined {
  const c = access.credentials;
  if (c?.username !== undefined && c.password !== undefined) {
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  }
  if (c?.bearerToken) return `Bearer ${c.bearerToken}`;
  return undefined;
}

/** As Flux does, a certSecretRef CA is trusted in addition to the system's, not instead of it. */
function tlsOptions(tls: TlsMaterial): { ca?: string[]; cert?: string; key?: string } {
  return {
    ...(tls.caPem && { ca: [...rootCertificates, tls.caPem] }),
    ...(tls.certPem && { cert: tls.certPem }),
    ...(tls.keyPem && { key: tls.keyPem }),
  };
}
