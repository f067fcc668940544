// How big a source snapshot may get: per file, in total and in file count, and how much a fetch may
// download. Exceeding a limit is permanent (the same commit will be as big next time), never a retry.
import { SluiceError } from '../errors.ts';

export interface SnapshotLimits {
  /** Largest single file (blob) written to a snapshot. */
  maxFileBytes: number;
  /** Sum of the sizes of every file in a snapshot (also the most a packed snapshot may hold). */
  maxTotalBytes: number;
  /** Files and symlinks in a snapshot. */
  maxFiles: number;
  /** Largest response body (pack) one request to a Git server may send. */
  maxDownloadBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = {
  maxFileBytes: 64 * MiB,
  maxTotalBytes: 1024 * MiB,
  maxFiles: 100_000,
  maxDownloadBytes: 1024 * MiB,
};

const SHRINK_HINT = 'exclude large files with .sourceignore or spec.ignore, or split the repository';

/** Counts what is written to one snapshot and stops at the first limit crossed. */
export class SnapshotBudget {
  private total = 0;
  private readonly limits: SnapshotLimits;

  constructor(limits: SnapshotLimits) {
    this.limits = limits;
  }

  countFiles(files: number): void {
    if (files > this.limits.maxFiles) {
      throw new SluiceError(
        'LimitExceeded',
        `the snapshot would hold ${files} files, more than the limit of ${this.limits.maxFiles} per snapshot; ${SHRINK_HINT}`,
      );
    }
  }

  addFile(path: string, bytes: number): void {
    if (bytes > this.limits.maxFileBytes) throw fileTooLarge(path, this.limits.maxFileBytes, bytes);
    this.total += bytes;
    if (this.total > this.limits.maxTotalBytes) {
      throw new SluiceError(
        'LimitExceeded',
        `the snapshot grows past the limit of ${formatBytes(this.limits.maxTotalBytes)} per snapshot at ${path}; ${SHRINK_HINT}`,
        { file: path },
      );
    }
  }
}

/** `bytes` undefined: larger than the limit, by how much is unknown (reading stopped at the limit). */
export function fileTooLarge(path: string, limit: number, bytes?: number): SluiceError {
  const size = bytes === undefined ? 'larger than' : `${formatBytes(bytes)}, more than`;
  return new SluiceError(
    'LimitExceeded',
    `file ${path} is ${size} the limit of ${formatBytes(limit)} per file; remove it from the repository or ${SHRINK_HINT}`,
    { file: path },
  );
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB && bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} bytes`;
}
