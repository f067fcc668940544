// OciRegistryClient over GuardedHttp: tags (paged), manifests by tag or digest (OCI / Docker v2, or an index
// holding exactly one manifest), blobs checked against their digest while they stream. Registries are
// untrusted: manifest and blob sizes are bounded, digests computed from the bytes served, media types checked.
import { createHash } from 'node:crypto';
import { SluiceError } from '../../core/errors.ts';
import type { SourceAddressPolicy } from '../../core/net/source-address-policy.ts';
import {
  isAttestation,
  MANIFEST_ACCEPT,
  type ManifestDocument,
  parseManifestDocument,
} from '../../core/oci/oci-manifest.ts';
import { assertReference, isDigestReference, isSha256Digest, parseOciUrl } from '../../core/oci/oci-url.ts';
import { registryProvider } from '../../core/oci/registry-provider.ts';
import type { HostResolver } from '../../ports/host-resolver.ts';
import type { OciDescriptor, OciRegistryClient, ResolvedManifest } from '../../ports/oci-registry.ts';
import type { RegistryTokenSource } from '../../ports/registry-token-source.ts';
import type { RemoteAccess } from '../../ports/remote-access.ts';
import { statusFailed, transportFailed } from '../net/source-http-errors.ts';
import { systemResolver } from '../net/system-resolver.ts';
import { drain, type RegistryResponse, RegistrySession, readAll } from './registry-session.ts';

const MiB = 1024 * 1024;

export interface RegistryClientOptions {
  policy: SourceAddressPolicy;
  resolver?: HostResolver;
  /** Logins for `provider: aws`; without it such sources are refused. */
  ecr?: RegistryTokenSource;
  /** A request that receives nothing this long fails (retryable). */
  idleTimeoutMs?: number;
  /** The deadline of one call when the source sets no spec.timeout (Flux's default is 60 s). */
  defaultTimeoutMs?: number;
  /** Largest manifest or index accepted (4 MiB, as registries themselves limit manifests). */
  maxManifestBytes?: number;
  /** Most tags read from one repository. */
  maxTags?: number;
}

const TAGS_PAGE = 1000;

export class HttpOciRegistryClient implements OciRegistryClient {
  private readonly opts: Required<Omit<RegistryClientOptions, 'ecr'>> & Pick<RegistryClientOptions, 'ecr'>;
  private readonly authCache = new Map<string, { header: string; expiresAt: number }>();

  constructor(opts: RegistryClientOptions) {
    this.opts = {
      resolver: systemResolver,
      idleTimeoutMs: 30_000,
      defaultTimeoutMs: 60_000,
      maxManifestBytes: 4 * MiB,
      maxTags: 100_000,
      ...opts,
    };
  }

  async listTags(url: string, access: RemoteAccess): Promise<string[]> {
    const session = await this.session(url, access);
    const tags: string[] = [];
    let next: URL | undefined = new URL(
      `${sessionBase(url, access)}/v2/${parseOciUrl(url).repository}/tags/list?n=${TAGS_PAGE}`,
    );
    while (next) {
      const res = await session.getUrl(next, 'application/json', 16 * MiB);
      if (res.status === 404) {
        await drain(res);
        throw new SluiceError('ArtifactNotFound', `repository ${session.display} not found; check spec.url`, {
          field: 'spec.url',
        });
      }
      await this.expectOk(session, res, 'the tag list');
      const page = parseTagPage(await readAll(session, res, 16 * MiB, 'the tag list'), session.display);
      const found = Array.isArray(page.tags)
        ? page.tags.filter((t): t is string => typeof t === 'string')
        : [];
      tags.push(...found);
      if (tags.length > this.opts.maxTags) {
        throw new SluiceError(
          'LimitExceeded',
          `${session.display} has more than ${this.opts.maxTags} tags, the most read from one repository; use spec.ref.tag or spec.ref.digest`,
          { field: 'spec.ref' },
        );
      }
      next = nextPage(res, next, found.length);
    }
    return tags;
  }

  async resolve(url: string, reference: string, access: RemoteAccess): Promise<ResolvedManifest> {
    assertReference(reference, 'spec.ref');
    const session = await this.session(url, access);
    const top = await this.manifest(session, reference);
    if (top.doc.kind === 'manifest') return { digest: top.digest, manifest: top.doc.manifest };
    const choices = top.doc.entries.filter((e) => !isAttestation(e));
    if (choices.length !== 1 || !choices[0]) {
      const platforms = choices.map((e) => e.platform).join(', ') || 'none';
      throw new SluiceError(
        'SourceFetchFailed',
        `${session.display}${refSuffix(reference)} is an index of ${choices.length} manifests (platforms: ${platforms}); Sluice takes an index only when it holds one manifest: point spec.ref.digest at the one you want`,
        { field: 'spec.ref' },
      );
    }
    const child = await this.manifest(session, choices[0].digest);
    if (child.doc.kind !== 'manifest') {
      throw new SluiceError(
        'SourceFetchFailed',
        `${session.display}@${choices[0].digest} is an index inside an index, which Sluice does not follow`,
        {
          field: 'spec.ref',
        },
      );
    }
    // The index digest is what the tag resolves to: the revision Flux reports, and what changes when it moves.
    return { digest: top.digest, manifest: child.doc.manifest };
  }

  async fetchBlob(
    url: string,
    descriptor: OciDescriptor,
    access: RemoteAccess,
    maxBytes: number,
  ): Promise<Buffer> {
    const session = await this.session(url, access);
    const { digest, size } = descriptor;
    if (!isSha256Digest(digest)) {
      throw new SluiceError(
        'SourceFetchFailed',
        `${session.display}: layer digest ${JSON.stringify(digest)} is not sha256`,
        {
          field: 'spec.url',
        },
      );
    }
    if (size > maxBytes) throw tooBig(session.display, digest, maxBytes);
    const res = await session.get(`blobs/${digest}`, 'application/octet-stream', maxBytes);
    if (res.status === 404) {
      await drain(res);
      throw new SluiceError(
        'ArtifactNotFound',
        `${session.display}: blob ${digest} not found in the registry`,
        {
          field: 'spec.url',
        },
      );
    }
    await this.expectOk(session, res, `blob ${digest}`);
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let received = 0;
    try {
      for await (const chunk of res.body ?? []) {
        received += chunk.length;
        // A blob longer than its descriptor says is wrong already: stop before reading the rest.
        if (received > size) break;
        hash.update(chunk);
        chunks.push(Buffer.from(chunk));
      }
    } catch (err) {
      if (err instanceof SluiceError && err.code === 'LimitExceeded')
        throw tooBig(session.display, digest, maxBytes);
      throw transportFailed(session.display, err);
    }
    const served = `sha256:${hash.digest('hex')}`;
    if (received !== size || served !== digest) {
      throw new SluiceError(
        'SourceFetchFailed',
        `${session.display}: blob ${digest} failed verification (${received > size ? `more than ${size} bytes` : `${received} of ${size} bytes, digest ${served}`}); the registry serves corrupt content`,
        { field: 'spec.url' },
      );
    }
    return Buffer.concat(chunks);
  }

  private async manifest(
    session: RegistrySession,
    reference: string,
  ): Promise<{ digest: string; doc: ManifestDocument }> {
    const limit = this.opts.maxManifestBytes;
    const what = `${session.display}${refSuffix(reference)}`;
    const res = await session.get(`manifests/${reference}`, MANIFEST_ACCEPT, limit);
    if (res.status === 404) {
      await drain(res);
      throw new SluiceError(
        'ArtifactNotFound',
        `${what} not found: the repository has no ${isDigestReference(reference) ? 'manifest with that digest' : 'such tag'}; check spec.ref`,
        { field: 'spec.ref' },
      );
    }
    await this.expectOk(session, res, 'the manifest');
    const declared = Number(res.headers['content-length']);
    if (declared > limit) {
      await drain(res).catch(() => undefined);
      throw manifestTooBig(what, limit);
    }
    let bytes: Buffer;
    try {
      bytes = await readAll(session, res, limit, `the manifest`);
    } catch (err) {
      if (err instanceof SluiceError && err.code === 'LimitExceeded') throw manifestTooBig(what, limit);
      throw err;
    }
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (isDigestReference(reference) && digest !== reference) {
      throw new SluiceError(
        'SourceFetchFailed',
        `${session.display}@${reference}: the registry served a manifest whose digest is ${digest}; it is refused`,
        { field: 'spec.ref.digest' },
      );
    }
    return { digest, doc: parseManifestDocument(bytes, res.headers['content-type'], what) };
  }

  private async expectOk(session: RegistrySession, res: RegistryResponse, what: string): Promise<void> {
    if (res.status >= 200 && res.status < 300) return;
    await drain(res);
    if (res.status === 401 || res.status === 403) throw session.authFailed(res.status);
    throw statusFailed(`${what} of ${session.display}`, res.status);
  }

  private async session(url: string, access: RemoteAccess): Promise<RegistrySession> {
    const { host, repository } = parseOciUrl(url);
    const provider = registryProvider(access.provider, host);
    let credentials = access.credentials;
    if (provider.kind === 'aws') {
      if (!this.opts.ecr) {
        throw new SluiceError(
          'ValidationFailed',
          `spec.provider aws needs the control plane's AWS role, which is not available here; use provider generic with a secretRef`,
          {
            field: 'spec.provider',
          },
        );
      }
      credentials = (await this.opts.ecr.loginFor(host, provider.region)).credentials;
    }
    return new RegistrySession({
      policy: this.opts.policy,
      resolver: this.opts.resolver,
      idleTimeoutMs: this.opts.idleTimeoutMs,
      deadline: AbortSignal.timeout(access.timeoutMs ?? this.opts.defaultTimeoutMs),
      protocol: access.insecure ? 'http:' : 'https:',
      host,
      repository,
      credentials,
      ...(provider.kind === 'aws' && {
        authFix: {
          fix: "the control plane's role may not pull this repository: list its ARN in ecrRepositories in sluice.config.ts and deploy again",
          field: 'spec.provider',
        },
      }),
      tls: access.tls,
      authCache: this.authCache,
    });
  }
}

function sessionBase(url: string, access: RemoteAccess): string {
  return `${access.insecure ? 'http:' : 'https:'}//${parseOciUrl(url).host}`;
}

/** The next page of a tag list: the Link header's `rel="next"` on the same origin, while pages come full. */
function nextPage(res: RegistryResponse, current: URL, count: number): URL | undefined {
  const link = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(res.headers.link ?? '')?.[1];
  if (!link || count === 0) return undefined;
  const next = new URL(link, current);
  return next.origin === current.origin && next.toString() !== current.toString() ? next : undefined;
}

function parseTagPage(body: Buffer, display: string): { tags?: unknown } {
  try {
    const page: unknown = JSON.parse(body.toString('utf8'));
    if (typeof page === 'object' && page !== null) return page as { tags?: unknown };
  } catch {
    // answered below
  }
  throw new SluiceError('SourceFetchFailed', `the tag list of ${display} is not a JSON object`, {
    field: 'spec.url',
  });
}

function refSuffix(reference: string): string {
  return isDigestReference(reference) ? `@${reference}` : `:${reference}`;
}

function manifestTooBig(what: string, limit: number): SluiceError {
  return new SluiceError(
    'LimitExceeded',
    `the manifest of ${what} is larger than ${limit / MiB} MiB, the limit for a manifest; it is refused`,
    { field: 'spec.ref' },
  );
}

function tooBig(display: string, digest: string, limit: number): SluiceError {
  return new SluiceError(
    'LimitExceeded',
    `${display}: layer ${digest} is larger than ${limit} bytes, the limit for one layer; it is refused`,
    { field: 'spec.layerSelector' },
  );
}
