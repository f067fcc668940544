// A source snapshot as one gzip'd bundle (a JSON header of paths, modes, sizes and symlinks, then the raw
// file contents), so a render in another process or function can rebuild exactly the fetched file set.
// Bounded: a snapshot too big to pack is a permanent LimitExceeded, not an out-of-memory retry loop.
import { constants } from 'node:buffer';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SluiceError } from '../../core/errors.ts';
import { DEFAULT_SNAPSHOT_LIMITS, formatBytes } from '../../core/git/snapshot-limits.ts';
import { normalizeInside } from '../../core/paths/secure-join.ts';
import { assertSymlinksStayInside } from '../../core/paths/symlink-chain.ts';
import type { SnapshotBundler } from '../../ports/snapshot-bundler.ts';

interface BundleFile {
  path: string;
  mode?: number;
  /** Version 1 only: base64 content inline (kept readable for bundles stored before version 2). */
  data?: string;
  /** Version 2: bytes of this file in the body, in header order. */
  size?: number;
  link?: string;
}

const MAGIC = Buffer.from('sluice-snapshot 2\n');
/** Room for the header on top of the file contents. */
const HEADER_ALLOWANCE = 64 * 1024 * 1024;

export interface BundleOptions {
  /** Most file content bytes a bundle may hold (default: the snapshot limit, 1 GiB). */
  maxBytes?: number;
}

export async function packSnapshot(dir: string, opts: BundleOptions = {}): Promise<Buffer> {
  const maxBytes = opts.maxBytes ?? DEFAULT_SNAPSHOT_LIMITS.maxTotalBytes;
  const files: BundleFile[] = [];
  const contents: Buffer[] = [];
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const entry of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isSymbolicLink()) files.push({ path, link: await readlink(join(dir, path)) });
      else {
        const info = await stat(join(dir, path));
        total += info.size;
        if (total > maxBytes) throw tooBigToPack(path, maxBytes);
        const data = await readFile(join(dir, path));
        contents.push(data);
        files.push({ path, size: data.length, ...(info.mode & 0o111 && { mode: 0o755 }) });
      }
    }
  };
  await walk('');
  const header = Buffer.from(JSON.stringify({ version: 2, files }));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return gzipSync(Buffer.concat([MAGIC, length, header, ...contents]));
}

/** Unpacks into `dir` (atomically: a temp dir renamed into place). Paths are re-checked on the way in. */
export async function unpackSnapshot(bundle: Buffer, dir: string, opts: BundleOptions = {}): Promise<void> {
  if (
    await lstat(dir).then(
      () => true,
      () => false,
    )
  )
    return;
  const files = readBundle(bundle, opts.maxBytes ?? DEFAULT_SNAPSHOT_LIMITS.maxTotalBytes);
  const links = new Map<string, string>();
  for (const f of files) {
    if (normalizeInside(f.path) !== f.path)
      throw new Error(`snapshot entry ${JSON.stringify(f.path)} is not a clean relative path`);
    if (f.link !== undefined) links.set(f.path, f.link);
  }
  assertSymlinksStayInside(links);
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    for (const f of files) {
      const out = join(tmp, f.path);
      await mkdir(dirname(out), { recursive: true });
      if (f.link !== undefined) {
        await symlink(f.link, out);
      } else {
        await writeFile(out, f.content ?? Buffer.alloc(0));
        if (f.mode) await chmod(out, f.mode);
      }
    }
    await mkdir(tmp, { recursive: true });
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

type UnpackedFile = BundleFile & { content?: Buffer };

function readBundle(bundle: Buffer, maxBytes: number): UnpackedFile[] {
  let raw: Buffer;
  try {
    raw = gunzipSync(bundle, {
      maxOutputLength: Math.min(maxBytes * 2 + HEADER_ALLOWANCE, constants.MAX_LENGTH),
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBigToPack('', maxBytes);
    throw err;
  }
  if (!raw.subarray(0, MAGIC.length).equals(MAGIC)) {
    // Version 1: one JSON document with base64 contents.
    const { files } = JSON.parse(raw.toString('utf8')) as { files: BundleFile[] };
    return files.map((f) => ({
      ...f,
      ...(f.data !== undefined && { content: Buffer.from(f.data, 'base64') }),
    }));
  }
  const headerStart = MAGIC.length + 4;
  const headerEnd = headerStart + raw.readUInt32BE(MAGIC.length);
  const { files } = JSON.parse(raw.toString('utf8', headerStart, headerEnd)) as { files: BundleFile[] };
  let offset = headerEnd;
  return files.map((f) => {
    if (f.link !== undefined) return f;
    const size = f.size ?? 0;
    if (!Number.isSafeInteger(size) || size < 0 || offset + size > raw.length)
      throw new Error(`snapshot entry ${JSON.stringify(f.path)} runs past the end of the bundle`);
    const content = raw.subarray(offset, offset + size);
    offset += size;
    return { ...f, content };
  });
}

function tooBigToPack(path: string, maxBytes: number): SluiceError {
  const where = path ? ` (reached at ${path})` : '';
  return new SluiceError(
    'LimitExceeded',
    `the snapshot is larger than ${formatBytes(maxBytes)}, the most a packed snapshot may hold${where}; exclude large files with .sourceignore or spec.ignore`,
    path ? { file: path } : {},
  );
}

/** The SnapshotBundler port over the functions above, with the default limits. */
export const gzipSnapshotBundler: SnapshotBundler = {
  pack: (dir) => packSnapshot(dir),
  unpack: (bundle, dir) => unpackSnapshot(bundle, dir),
};
