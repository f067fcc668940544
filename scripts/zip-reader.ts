// Minimal ZIP reader (central directory + stored/deflate entries) so install needs no unzip binary
// on the user's machine. Only what the kubectl layer archive uses; anything else is refused loudly.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  mode: number;
  isDirectory: boolean;
  read(): Buffer;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

export function readZip(archive: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(archive);
  const count = archive.readUInt16LE(eocd + 10);
  let offset = archive.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(offset) !== CENTRAL_SIGNATURE) throw new Error('zip: corrupt central directory');
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const size = archive.readUInt32LE(offset + 24);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const externalAttributes = archive.readUInt32LE(offset + 38);
    const localOffset = archive.readUInt32LE(offset + 42);
    const name = archive.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    offset += 46 + nameLength + extraLength + commentLength;
    entries.push({
      name,
      mode: (externalAttributes >>> 16) & 0o7777,
      isDirectory: name.endsWith('/'),
      read: () => readLocal(archive, localOffset, method, compressedSize, size, name),
    });
  }
  return entries;
}

function findEndOfCentralDirectory(archive: Buffer): number {
  for (let i = archive.length - 22; i >= Math.max(0, archive.length - 65_557); i--) {
    if (archive.readUInt32LE(i) === EOCD_SIGNATURE) return i;
  }
  throw new Error('zip: end of central directory not found');
}

function readLocal(
  archive: Buffer,
  at: number,
  method: number,
  compressed: number,
  size: number,
  name: string,
): Buffer {
  if (archive.readUInt32LE(at) !== LOCAL_SIGNATURE) throw new Error(`zip: corrupt local header for ${name}`);
  const start = at + 30 + archive.readUInt16LE(at + 26) + archive.readUInt16LE(at + 28);
  const raw = archive.subarray(start, start + compressed);
  const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined;
  if (!data) throw new Error(`zip: unsupported compression method ${method} for ${name}`);
  if (data.length !== size) throw new Error(`zip: size mismatch for ${name}`);
  return data;
}
