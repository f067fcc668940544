// Judges each tar entry before anything is written: a safe relative path, an allowed type, within the
// limits, never under a symlink or over an earlier entry, and symlink chains that stay inside the tree.
import { SluiceError } from '../errors.ts';
import { formatBytes } from '../git/snapshot-limits.ts';
import { MAX_SYMLINK_HOPS, resolveInTree } from '../paths/symlink-chain.ts';
import type { ArchiveLimits } from './archive-limits.ts';
import type { TarEntry } from './tar-parser.ts';

export type AdmittedEntry =
  | { kind: 'file'; path: string; size: number; executable: boolean }
  | { kind: 'dir'; path: string }
  | { kind: 'symlink'; path: string; target: string }
  /** The archive's own root (`./`): nothing to create. */
  | { kind: 'root' };

const MAX_PATH_BYTES = 4096;
const REFUSED_TYPES: Record<string, string> = {
  '1': 'a hard link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  S: 'a sparse file',
};

export class ArchiveGuard {
  private readonly limits: ArchiveLimits;
  private readonly kinds = new Map<string, 'file' | 'dir' | 'symlink'>();
  private readonly links = new Map<string, string>();
  private entries = 0;
  private total = 0;

  constructor(limits: ArchiveLimits) {
    this.limits = limits;
  }

  get totalBytes(): number {
    return this.total;
  }

  get entryCount(): number {
    return this.entries;
  }

  admit(entry: TarEntry): AdmittedEntry {
    const raw = entry.name;
    const refused = REFUSED_TYPES[entry.typeflag];
    if (refused !== undefined)
      throw rejected(raw, `is ${refused}; only files, directories and symlinks are accepted`);
    const isDirFlag =
      entry.typeflag === '5' || ((entry.typeflag === '\0' || entry.typeflag === '0') && raw.endsWith('/'));
    const kind = isDirFlag ? 'dir' : entry.typeflag === '2' ? 'symlink' : 'file';
    if (kind === 'file' && !['0', '\0', '7'].includes(entry.typeflag)) {
      throw rejected(raw, `has the unsupported tar type ${JSON.stringify(entry.typeflag)}`);
    }
    const path = normalizeEntryPath(raw);
    if (path === '') {
      if (kind === 'dir') return { kind: 'root' };
      throw rejected(raw, 'has no name');
    }
    this.entries += 1;
    if (this.entries > this.limits.maxFiles) {
      throw new SluiceError(
        'LimitExceeded',
        `archive has more than ${this.limits.maxFiles} entries (limit maxFiles) at entry ${JSON.stringify(path)}`,
        { file: path },
      );
    }
    this.claimParents(path, raw);
    const earlier = this.kinds.get(path);
    if (earlier !== undefined && !(earlier === 'dir' && kind === 'dir')) {
      throw rejected(raw, `appears twice (first as a ${earlier}); an entry may not replace another`);
    }
    if (kind === 'dir') {
      this.kinds.set(path, 'dir');
      return { kind: 'dir', path };
    }
    if (kind === 'symlink') return this.admitLink(path, raw, entry.linkName);
    if (entry.size > this.limits.maxFileBytes) {
      throw new SluiceError(
        'LimitExceeded',
        `archive entry ${JSON.stringify(path)} is ${formatBytes(entry.size)}, more than the limit maxFileBytes (${formatBytes(this.limits.maxFileBytes)})`,
        { file: path },
      );
    }
    this.total += entry.size;
    if (this.total > this.limits.maxTotalBytes) {
      throw new SluiceError(
        'LimitExceeded',
        `archive grows past the limit maxTotalBytes (${formatBytes(this.limits.maxTotalBytes)}) at entry ${JSON.stringify(path)}`,
        { file: path },
      );
    }
    this.kinds.set(path, 'file');
    return { kind: 'file', path, size: entry.size, executable: (entry.mode & 0o100) !== 0 };
  }

  /** After the last entry: every symlink, followed through the others, must land inside the tree. */
  checkLinks(): void {
    for (const [link, target] of this.links) {
      const resolution = resolveInTree(link, this.links);
      if (resolution.inside) continue;
      const why =
        resolution.reason === 'loop'
          ? `is part of a loop or of a chain of more than ${MAX_SYMLINK_HOPS} symlinks`
          : 'points outside the archive once the symlinks it goes through are followed';
      throw rejected(link, `is a symlink to ${JSON.stringify(target)} that ${why}`);
    }
  }

  private admitLink(path: string, raw: string, target: string): AdmittedEntry {
    if (target === '' || target.includes('\0') || target.includes('\\') || target.startsWith('/')) {
      throw rejected(
        raw,
        `is a symlink to ${JSON.stringify(target)}, which is empty, absolute or not a plain path`,
      );
    }
    this.links.set(path, target);
    this.kinds.set(path, 'symlink');
    // Checked now against the links seen so far for an early, precise refusal; checkLinks() sees them all.
    const resolution = resolveInTree(path, this.links);
    if (!resolution.inside && resolution.reason !== 'loop') {
      throw rejected(raw, `is a symlink to ${JSON.stringify(target)} that points outside the archive`);
    }
    return { kind: 'symlink', path, target };
  }

  /** Every parent of `path` becomes a directory; one that is a symlink or a file refuses the entry. */
  private claimParents(path: string, raw: string): void {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const kind = this.kinds.get(parent);
      if (kind === 'symlink')
        throw rejected(raw, `would be written through the symlink ${JSON.stringify(parent)}`);
      if (kind === 'file') throw rejected(raw, `would be written under the file ${JSON.stringify(parent)}`);
      this.kinds.set(parent, 'dir');
    }
  }
}

/**
 * The entry's path relative to the archive root (`./` and empty segments dropped, no trailing slash);
 * ArchiveRejected for absolute paths, `..` segments, NUL, backslashes, or a path too long to be real.
 */
export function normalizeEntryPath(raw: string): string {
  if (raw.includes('\0')) throw rejected(raw, 'contains a NUL byte');
  if (raw.includes('\\')) throw rejected(raw, 'contains a backslash (a Windows path separator)');
  if (raw.startsWith('/')) throw rejected(raw, 'is an absolute path');
  if (Buffer.byteLength(raw, 'utf8') > MAX_PATH_BYTES)
    throw rejected(raw.slice(0, 200), 'has a path that is too long');
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw rejected(raw, "has a '..' segment that could climb out of the destination");
  if (parts.length > 0 && /^[A-Za-z]:$/.test(parts[0] as string))
    throw rejected(raw, 'starts with a drive letter');
  return parts.join('/');
}

function rejected(entry: string, why: string): SluiceError {
  return new SluiceError('ArchiveRejected', `archive entry ${JSON.stringify(entry)} ${why}`, { file: entry });
}
