// Safe reading of untrusted .tar.gz archives (chart archives, OCI layers): inflated as a stream with a cap,
// every entry judged by ArchiveGuard before it touches the disk, symlinks created last so none is written through.
import { constants } from 'node:fs';
import { chmod, mkdir, open, readdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { type AdmittedEntry, ArchiveGuard } from '../../core/archive/archive-guard.ts';
import {
  type ArchiveLimits,
  inflatedCap,
  inflatedTooLarge,
  resolveArchiveLimits,
} from '../../core/archive/archive-limits.ts';
import { type TarEvent, TarParser } from '../../core/archive/tar-parser.ts';
import { SluiceError } from '../../core/errors.ts';

export { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from '../../core/archive/archive-limits.ts';
export { packTar, packTarGz } from './pack-tar.ts';

/** What an entry's data goes to: `write` gets each chunk in order, `close` once after the last. */
interface EntrySink {
  write(chunk: Buffer): Promise<void> | void;
  close(): Promise<void> | void;
  /** The walk failed mid-entry: release what is open, write nothing more. */
  abort?(): Promise<void>;
}

type Visitor = (entry: AdmittedEntry) => Promise<EntrySink | undefined>;

/**
 * Extracts into `destDir` (created; must be missing or empty). Files are written 0644 (0755 when the
 * entry is owner-executable), directories 0755; the caller makes the tree read-only if it wants.
 * Symlinks are kept when their whole chain stays inside; hard links, devices and FIFOs are refused.
 * On any refusal, `destDir` is removed again.
 */
export async function extractTarGz(
  bytes: Buffer,
  destDir: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<{ files: number; bytes: number }> {
  await mkdir(destDir, { recursive: true });
  if ((await readdir(destDir)).length > 0) throw new Error(`extractTarGz: ${destDir} is not empty`);
  const links: { path: string; target: string }[] = [];
  let files = 0;
  try {
    const guard = await walkTarGz(bytes, limits, async (entry) => {
      if (entry.kind === 'root') return undefined;
      if (entry.kind === 'dir') {
        await mkdir(join(destDir, entry.path), { recursive: true, mode: 0o755 });
        return undefined;
      }
      if (entry.kind === 'symlink') {
        links.push(entry);
        return undefined;
      }
      files += 1;
      return fileSink(join(destDir, entry.path), entry.executable);
    });
    // Every file is in place and every link checked against all the others: only now may links exist.
    for (const link of links) {
      await mkdir(join(destDir, link.path, '..'), { recursive: true, mode: 0o755 });
      await symlink(link.target, join(destDir, link.path));
    }
    return { files, bytes: guard.totalBytes };
  } catch (err) {
    await rm(destDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The archive's regular files in memory (path relative to the archive root → bytes), under the same
 * rules as extractTarGz; directories and (checked) symlinks are not returned. For small archives only.
 */
export async function readTarGz(
  bytes: Buffer,
  limits: Partial<ArchiveLimits> = {},
): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await walkTarGz(bytes, limits, async (entry) => {
    if (entry.kind !== 'file') return undefined;
    const parts: Buffer[] = [];
    return {
      write: (chunk) => {
        parts.push(Buffer.from(chunk));
      },
      close: () => {
        out.set(entry.path, Buffer.concat(parts));
      },
    };
  });
  return out;
}

async function walkTarGz(
  bytes: Buffer,
  partial: Partial<ArchiveLimits>,
  visit: Visitor,
): Promise<ArchiveGuard> {
  const limits = resolveArchiveLimits(partial);
  const guard = new ArchiveGuard(limits);
  const parser = new TarParser();
  const cap = inflatedCap(limits, bytes.length);
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  let sink: EntrySink | undefined;
  let inflated = 0;
  const handle = async (events: TarEvent[]): Promise<void> => {
    for (const event of events) {
      if (event.type === 'entry') sink = await visit(guard.admit(event.entry));
      else if (event.type === 'data') await sink?.write(event.chunk);
      else if (event.type === 'entryEnd') {
        await sink?.close();
        sink = undefined;
      }
    }
  };
  gunzip.end(bytes);
  try {
    for await (const chunk of gunzip) {
      inflated += (chunk as Buffer).length;
      if (inflated > cap) throw inflatedTooLarge(limits, cap, parser.current);
      await handle(parser.push(chunk as Buffer));
      if (parser.ended) break;
    }
    if (!parser.ended) await handle(parser.finish());
    guard.checkLinks();
    return guard;
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    if ((err as { code?: string }).code?.startsWith('Z_')) {
      throw new SluiceError(
        'ArchiveRejected',
        'archive is not a valid gzip stream (corrupt or not gzipped)',
        {
          cause: err,
        },
      );
    }
    throw err;
  } finally {
    gunzip.destroy();
    await sink?.abort?.();
  }
}

/** A file opened exclusively and without following links: an existing path or link is never reused. */
function fileSink(path: string, executable: boolean): EntrySink {
  const mode = executable ? 0o755 : 0o644;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let opening: Promise<void> | undefined;
  const ensureOpen = async (): Promise<void> => {
    opening ??= (async () => {
      await mkdir(join(path, '..'), { recursive: true, mode: 0o755 });
      handle = await open(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        mode,
      );
    })();
    await opening;
  };
  return {
    async write(chunk) {
      await ensureOpen();
      await handle?.write(chunk);
    },
    async close() {
      await ensureOpen();
      const h = handle;
      handle = undefined;
      if (h === undefined) return;
      await h.close();
      // The umask may have trimmed the mode; set it exactly.
      await chmod(path, mode);
    },
    async abort() {
      await opening?.catch(() => undefined);
      await handle?.close();
      handle = undefined;
    },
  };
}
