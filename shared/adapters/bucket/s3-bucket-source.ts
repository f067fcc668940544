// A Bucket fetched as Flux's source-controller fetches one: the root `.sourceignore`, then the listing under
// spec.prefix; its `<key> <etag>` index is the revision, so an unchanged listing downloads nothing; otherwise
// every selected object is written under its key into a read-only file set named by the revision.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from '../../core/archive/archive-limits.ts';
import {
  type BucketEntry,
  type BucketObject,
  bucketRevision,
  selectBucketObjects,
} from '../../core/bucket/bucket-index.ts';
import { SluiceError } from '../../core/errors.ts';
import { SourceIgnore } from '../../core/git/source-ignore.ts';
import type { SourceAddressPolicy } from '../../core/net/source-address-policy.ts';
import type { BucketFetchRequest, BucketFetchResult, BucketSource } from '../../ports/bucket-source.ts';
import type { HostResolver } from '../../ports/host-resolver.ts';
import { materializeReadOnly, pathExists } from '../local/read-only-file-set.ts';
import { guardedAgents } from './guarded-agents.ts';

const IGNORE_FILE = '.sourceignore';
/** The `.sourceignore` object is read whole: a bound well above any real one. */
const MAX_IGNORE_BYTES = 1024 * 1024;
/** Objects downloaded at once: enough to hide latency, few enough not to flood the host. */
const DOWNLOADS_AT_ONCE = 8;

export interface S3BucketSourceOptions {
  /** `<snapshotsDir>/<digest hex>` per file set. */
  snapshotsDir: string;
  policy: SourceAddressPolicy;
  resolver: HostResolver;
  limits?: Pick<ArchiveLimits, 'maxFiles' | 'maxFileBytes' | 'maxTotalBytes'>;
}

export class S3BucketSource implements BucketSource {
  private readonly opts: S3BucketSourceOptions;
  private readonly limits: Pick<ArchiveLimits, 'maxFiles' | 'maxFileBytes' | 'maxTotalBytes'>;

  constructor(opts: S3BucketSourceOptions) {
    this.opts = opts;
    this.limits = opts.limits ?? DEFAULT_ARCHIVE_LIMITS;
  }

  async fetch(req: BucketFetchRequest): Promise<BucketFetchResult> {
    const f = req.fields;
    const scheme = f.insecure ? 'http' : 'https';
    const where = `${scheme}://${f.endpoint}/${f.bucketName}`;
    const agents = guardedAgents(this.opts.policy, this.opts.resolver, scheme);
    const client = new S3Client(clientConfig(req, scheme, agents));
    const signal = AbortSignal.timeout(f.timeoutMs);
    const fail = (err: unknown): SluiceError =>
      agents.refusal() ?? s3Failure(err, where, signal, req.credentials !== undefined);
    try {
      agents.checkLiteral(new URL(`${scheme}://${f.endpoint}`));
      const ignoreText = await this.readIgnoreFile(client, f.bucketName, signal).catch((err) => {
        throw fail(err);
      });
      const listing = await this.list(client, f.bucketName, f.prefix, signal).catch((err) => {
        throw fail(err);
      });
      const ignore = new SourceIgnore(req.ignore, new Map(ignoreText ? [['', ignoreText]] : []), {
        builtIn: false,
      });
      const entries = selectBucketObjects(
        listing.filter((o) => o.key !== IGNORE_FILE),
        ignore,
        this.limits,
      );
      const revision = bucketRevision(entries);
      if (revision === req.lastRevision) return { unchanged: true, revision };
      const digest = `sha256:${createHash('sha256')
        .update(JSON.stringify(['bucket', revision]))
        .digest('hex')}`;
      const dir = join(this.opts.snapshotsDir, digest.slice('sha256:'.length));
      if (!(await pathExists(dir))) {
        await materializeReadOnly(dir, (tmp) =>
          this.download(client, f.bucketName, entries, tmp, signal).catch((err) => {
            throw err instanceof SluiceError ? err : fail(err);
          }),
        );
      }
      return { unchanged: false, revision, digest, dir, objects: entries.length };
    } finally {
      client.destroy();
      agents.destroy();
    }
  }

  private async readIgnoreFile(
    client: S3Client,
    bucket: string,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    try {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: IGNORE_FILE }), {
        abortSignal: signal,
      });
      const bytes = await readBody(res.Body, MAX_IGNORE_BYTES, IGNORE_FILE);
      return bytes.toString('utf8');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every object under the prefix; the listing is bounded so a huge bucket cannot exhaust memory. */
  private async list(
    client: S3Client,
    bucket: string,
    prefix: string | undefined,
    signal: AbortSignal,
  ): Promise<BucketObject[]> {
    const objects: BucketObject[] = [];
    const maxListed = this.limits.maxFiles * 4;
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          ...(prefix && { Prefix: prefix }),
          ...(token && { ContinuationToken: token }),
        }),
        { abortSignal: signal },
      );
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        objects.push({ key: o.Key, etag: o.ETag ?? '', size: o.Size ?? 0 });
      }
      if (objects.length > maxListed) {
        throw new SluiceError(
          'ArchiveRejected',
          `the bucket lists more than ${maxListed} objects under its prefix; narrow spec.prefix or spec.ignore`,
        );
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  /** A few objects at a time (Flux fetches concurrently too); the bytes received are bounded in total. */
  private async download(
    client: S3Client,
    bucket: string,
    entries: readonly BucketEntry[],
    tmp: string,
    signal: AbortSignal,
  ): Promise<void> {
    let received = 0;
    let next = 0;
    const one = async (e: BucketEntry): Promise<void> => {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: e.key }), {
        abortSignal: signal,
      });
      const bytes = await readBody(res.Body, this.limits.maxFileBytes, e.key);
      // The listing's sizes were checked; a host that sends more than it listed is cut off here.
      received += bytes.length;
      if (received > this.limits.maxTotalBytes) {
        throw new SluiceError(
          'ArchiveRejected',
          `the bucket's objects add up to more than ${this.limits.maxTotalBytes} bytes (limit maxTotalBytes)`,
        );
      }
      // selectBucketObjects admitted only plain relative keys: the path stays under tmp.
      const path = join(tmp, ...e.key.split('/'));
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, bytes, { flag: 'wx' });
      } catch (err) {
        throw new SluiceError(
          'ArchiveRejected',
          `bucket object key ${JSON.stringify(e.key)} cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'}): another key is a file where it needs a directory, or the reverse`,
        );
      }
    };
    let failure: unknown;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < entries.length) {
        await one(entries[next++] as BucketEntry).catch((err: unknown) => {
          failure ??= err;
        });
      }
    };
    // Every worker has stopped before the error goes up: nothing writes into the folder once it is removed.
    await Promise.all(Array.from({ length: Math.min(DOWNLOADS_AT_ONCE, entries.length) }, worker));
    if (failure !== undefined) throw failure;
  }
}

function clientConfig(
  req: BucketFetchRequest,
  scheme: 'http' | 'https',
  agents: ReturnType<typeof guardedAgents>,
): S3ClientConfig {
  const f = req.fields;
  const awsHost = /(^|\.)amazonaws\.com(\.cn)?$/i.test(f.endpoint.replace(/:\d+$/, ''));
  return {
    region: f.region || 'us-east-1',
    // aws on AWS's own endpoint: the SDK addresses the region's S3; any other host is used as given.
    ...(!(f.provider === 'aws' && awsHost) && {
      endpoint: `${scheme}://${f.endpoint}`,
      forcePathStyle: true,
    }),
    ...(req.credentials && { credentials: req.credentials }),
    requestHandler: { httpAgent: agents.httpAgent, httpsAgent: agents.httpsAgent },
    maxAttempts: 1,
  };
}

async function readBody(body: unknown, max: number, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) {
      (body as { destroy?: () => void }).destroy?.();
      throw new SluiceError(
        'ArchiveRejected',
        `bucket object ${JSON.stringify(key)} is larger than ${max} bytes`,
      );
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'NoSuchKey' ||
    e.name === 'NotFound' ||
    (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket')
  );
}

/** S3's answer in Sluice's terms; only the error's name and status are shown, never what the SDK echoes. */
function s3Failure(err: unknown, where: string, signal: AbortSignal, hadCredentials: boolean): SluiceError {
  if (err instanceof SluiceError) return err;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (signal.aborted)
    return new SluiceError('SourceFetchFailed', `fetching ${where} ran past spec.timeout; will retry`, {
      retryable: true,
    });
  if (e.name === 'NoSuchBucket')
    return new SluiceError(
      'SourceFetchFailed',
      `${where}: the bucket does not exist; check spec.bucketName`,
      { field: 'spec.bucketName' },
    );
  if (status === 401 || status === 403)
    return new SluiceError(
      'SourceAuthFailed',
      `${where} refused access (HTTP ${status}, ${e.name ?? 'AccessDenied'}); ${hadCredentials ? 'check accesskey and secretkey in spec.secretRef' : 'set spec.secretRef (generic) or grant the control plane s3:ListBucket and s3:GetObject (aws)'}`,
      { field: 'spec.secretRef' },
    );
  const transient = status === undefined || status === 408 || status === 429 || status >= 500;
  return new SluiceError(
    'SourceFetchFailed',
    `${where} failed (${status ? `HTTP ${status}, ` : ''}${e.name ?? e.code ?? 'error'})${transient ? '; will retry' : ''}`,
    { retryable: transient },
  );
}
