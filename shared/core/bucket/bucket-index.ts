// A Bucket's object listing reduced to what Flux's source-controller fetches: keys under the prefix, not
// directory markers, not ignored, as safe relative paths, within bounds; and its revision. Pure.
import { createHash } from 'node:crypto';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from '../archive/archive-limits.ts';
import { SluiceError } from '../errors.ts';
import type { SourceIgnore } from '../git/source-ignore.ts';

export interface BucketObject {
  key: string;
  /** As the listing gives it; S3 quotes it, minio-go (Flux) strips the quotes. */
  etag: string;
  size: number;
}

export interface BucketEntry {
  key: string;
  etag: string;
  size: number;
}

const MAX_KEY_BYTES = 1024;

/**
 * Flux's selection: every listed key but directory markers (`…/`) and what the ignore rules exclude (the
 * key's `/` segments matched like a Git path). Each key is checked as a path before anything is written,
 * so a hostile listing fails the fetch instead of landing outside the snapshot.
 */
export function selectBucketObjects(
  listing: readonly BucketObject[],
  ignore: SourceIgnore,
  limits: Pick<ArchiveLimits, 'maxFiles' | 'maxFileBytes' | 'maxTotalBytes'> = DEFAULT_ARCHIVE_LIMITS,
): BucketEntry[] {
  const entries: BucketEntry[] = [];
  let total = 0;
  for (const object of listing) {
    if (object.key.endsWith('/')) continue;
    checkKey(object.key);
    if (ignore.ignores(object.key)) continue;
    if (entries.length >= limits.maxFiles)
      throw tooBig(`holds more than ${limits.maxFiles} objects to fetch (limit maxFiles)`);
    if (object.size > limits.maxFileBytes)
      throw tooBig(
        `object ${JSON.stringify(object.key)} is ${object.size} bytes, over the ${limits.maxFileBytes}-byte limit`,
      );
    total += object.size;
    if (total > limits.maxTotalBytes)
      throw tooBig(`objects add up to more than ${limits.maxTotalBytes} bytes (limit maxTotalBytes)`);
    entries.push({ key: object.key, etag: unquote(object.etag), size: object.size });
  }
  return entries;
}

/**
 * Flux's revision: `sha256:` + the digest of the index, one `<key> <etag>\n` line per object, keys in
 * byte order (Go's sort.Strings). Equal listings give equal revisions, so nothing is downloaded again.
 */
export function bucketRevision(entries: readonly BucketEntry[]): string {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const hash = createHash('sha256');
  for (const e of sorted) hash.update(`${e.key} ${e.etag}\n`);
  return `sha256:${hash.digest('hex')}`;
}

/** Keys are written as paths under the snapshot: only plain relative paths pass. */
export function checkKey(key: string): void {
  const bad = keyProblem(key);
  if (bad)
    throw new SluiceError(
      'ArchiveRejected',
      `bucket object key ${JSON.stringify(key.slice(0, 200))} ${bad}`,
      {
        retryable: false,
      },
    );
}

function keyProblem(key: string): string | undefined {
  if (key === '') return 'is empty';
  if (key.includes('\0')) return 'contains a NUL byte';
  if (key.includes('\\')) return 'contains a backslash';
  if (key.startsWith('/')) return 'is an absolute path';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return 'is too long';
  const parts = key.split('/');
  if (parts.some((p) => p === '..' || p === '.' || p === '')) return "has an empty, '.' or '..' segment";
  if (/^[A-Za-z]:$/.test(parts[0] as string)) return 'starts with a drive letter';
  return undefined;
}

function unquote(etag: string): string {
  return etag.startsWith('"') && etag.endsWith('"') && etag.length >= 2 ? etag.slice(1, -1) : etag;
}

function tooBig(why: string): SluiceError {
  return new SluiceError('ArchiveRejected', `the bucket ${why}`, { retryable: false });
}
