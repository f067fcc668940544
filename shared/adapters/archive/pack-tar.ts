// Deterministic tar(.gz) of a directory, as packaged chart artifacts are made: entries sorted, times and
// owners zeroed, fixed modes, so the same files always give the same bytes (and the same digest).
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BLOCK, encodeHeader, paxRecord } from '../../core/archive/tar-header.ts';
import { SluiceError } from '../../core/errors.ts';

const FILE_MODE = 0o644;
const EXECUTABLE_MODE = 0o755;
const DIR_MODE = 0o755;

/**
 * The uncompressed tar of `dir`'s contents (paths relative to `dir`, directories with a trailing slash).
 * Only regular files and directories: anything else is ArchiveRejected. Executable files keep 0755.
 */
export async function packTar(dir: string): Promise<Buffer> {
  const blocks: Buffer[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const stats = await lstat(join(dir, path));
      if (stats.isDirectory()) {
        blocks.push(...entryHeader(`${path}/`, '5', 0, DIR_MODE));
        await walk(path);
      } else if (stats.isFile()) {
        const data = await readFile(join(dir, path));
        const mode = (stats.mode & 0o100) !== 0 ? EXECUTABLE_MODE : FILE_MODE;
        blocks.push(...entryHeader(path, '0', data.length, mode), data, padding(data.length));
      } else {
        throw new SluiceError(
          'ArchiveRejected',
          `cannot pack ${JSON.stringify(path)}: only regular files and directories go into an archive`,
          { file: path },
        );
      }
    }
  };
  await walk('');
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

/** packTar, gzipped. Its bytes depend on the zlib build; digest the packTar output when identity matters. */
export async function packTarGz(dir: string): Promise<Buffer> {
  return gzipSync(await packTar(dir), { level: 9 });
}

function entryHeader(path: string, typeflag: '0' | '5', size: number, mode: number): Buffer[] {
  if (Buffer.byteLength(path, 'utf8') <= 100 && /^[\x20-\x7e]*$/.test(path)) {
    return [encodeHeader({ name: path, typeflag, size, mode })];
  }
  // Long or non-ASCII names go in a PAX `path` record; the header keeps a truncated stand-in.
  const record = paxRecord('path', path);
  return [
    encodeHeader({ name: 'PaxHeaders/entry', typeflag: 'x', size: record.length, mode: FILE_MODE }),
    record,
    padding(record.length),
    encodeHeader({ name: asciiStandIn(path), typeflag, size, mode }),
  ];
}

function asciiStandIn(path: string): string {
  return path.replace(/[^\x20-\x7e]/g, '_').slice(-100);
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}
