// How much an archive (chart .tgz, OCI layer) may hold once inflated: entries, bytes per file, bytes in
// total and, optionally, the inflation ratio. Crossing one is permanent: the same archive is as big next time.
import { SluiceError } from '../errors.ts';
import { formatBytes } from '../git/snapshot-limits.ts';

export interface ArchiveLimits {
  /** Entries that become something on disk (files, directories, symlinks). */
  maxFiles: number;
  /** Largest single regular file. */
  maxFileBytes: number;
  /** Sum of the regular files' sizes; the inflated stream is cut off a little above it (headers, padding). */
  maxTotalBytes: number;
  /** Inflated bytes per compressed byte; unset = only the byte limits apply. */
  maxCompressionRatio?: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxFiles: 10_000,
  maxFileBytes: 64 * MiB,
  maxTotalBytes: 512 * MiB,
};

/** Tar metadata per entry allowed on top of file bytes: a header, a PAX or long-name header, padding. */
const OVERHEAD_PER_ENTRY = 4096;
/** The end-of-archive blocks and a little slack for writers that pad to a record (10 KiB) boundary. */
const OVERHEAD_FIXED = MiB;

export function resolveArchiveLimits(limits: Partial<ArchiveLimits> = {}): ArchiveLimits {
  const resolved: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS };
  for (const key of ['maxFiles', 'maxFileBytes', 'maxTotalBytes', 'maxCompressionRatio'] as const) {
    const value = limits[key];
    if (value !== undefined) resolved[key] = value;
  }
  return resolved;
}

/** How many inflated bytes a gzip stream of `compressedBytes` may produce before it is cut off. */
export function inflatedCap(limits: ArchiveLimits, compressedBytes: number): number {
  const byBytes = limits.maxTotalBytes + limits.maxFiles * OVERHEAD_PER_ENTRY + OVERHEAD_FIXED;
  if (limits.maxCompressionRatio === undefined) return byBytes;
  return Math.min(byBytes, Math.max(compressedBytes, 1) * limits.maxCompressionRatio);
}

/** The error for an inflated stream cut off at `cap`; `entry` is the entry being read then, if any. */
export function inflatedTooLarge(limits: ArchiveLimits, cap: number, entry: string | undefined): SluiceError {
  const where = entry === undefined ? '' : ` while reading entry ${JSON.stringify(entry)}`;
  const byRatio =
    limits.maxCompressionRatio !== undefined &&
    cap < limits.maxTotalBytes + limits.maxFiles * OVERHEAD_PER_ENTRY + OVERHEAD_FIXED;
  const limit = byRatio
    ? `maxCompressionRatio (${limits.maxCompressionRatio}:1)`
    : `maxTotalBytes (${formatBytes(limits.maxTotalBytes)})`;
  return new SluiceError(
    'LimitExceeded',
    `archive inflates past ${formatBytes(cap)}${where}, over the limit ${limit}; it may be a decompression bomb`,
    entry === undefined ? {} : { file: entry },
  );
}
