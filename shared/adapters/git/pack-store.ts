// Reads Git objects straight from the pack files isomorphic-git wrote (v2 .idx + .pack), inflating with
// Node's native zlib. Materialising thousands of files this way avoids a round trip through the thread
// pool per object, which dominates when going through isomorphic-git's readBlob.
import { constants } from 'node:buffer';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';
export interface GitObject {
  type: ObjectType;
  data: Buffer;
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** An object would inflate past the size the reader was opened with; nothing that big is allocated. */
export class ObjectTooLargeError extends Error {
  readonly code = 'ObjectTooLarge';
  readonly limit: number;
  constructor(limit: number) {
    super(`git object larger than ${limit} bytes`);
    this.name = 'ObjectTooLargeError';
    this.limit = limit;
  }
}

interface Pack {
  data: Buffer;
  /** Sorted object offsets, to know where each compressed entry ends. */
  offsets: number[];
}

export class PackStore {
  private readonly packs: Pack[] = [];
  private readonly index = new Map<string, { pack: Pack; offset: number }>();
  private readonly resolved = new Map<string, GitObject>();

  private readonly maxObjectBytes: number;

  private constructor(maxObjectBytes: number) {
    this.maxObjectBytes = maxObjectBytes;
  }

  /** `maxObjectBytes` bounds every inflated object and delta result (a small pack can inflate to gigabytes). */
  static async open(gitdir: string, maxObjectBytes: number = constants.MAX_LENGTH): Promise<PackStore> {
    const store = new PackStore(Math.min(maxObjectBytes, constants.MAX_LENGTH));
    const dir = join(gitdir, 'objects', 'pack');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.idx'));
    for (const name of names) {
      const [idx, data] = await Promise.all([
        readFile(join(dir, name)),
        readFile(join(dir, name.replace(/\.idx$/, '.pack'))),
      ]);
      store.addPack(idx, data);
    }
    return store;
  }

  has(oid: string): boolean {
    return this.index.has(oid);
  }

  private addPack(idx: Buffer, data: Buffer): void {
    if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2)
      throw new Error('unsupported pack index version');
    const count = idx.readUInt32BE(8 + 255 * 4);
    const shaStart = 8 + 256 * 4;
    const offsetStart = shaStart + count * 20 + count * 4;
    const largeStart = offsetStart + count * 4;
    const pack: Pack = { data, offsets: [] };
    for (let i = 0; i < count; i++) {
      const oid = idx.toString('hex', shaStart + i * 20, shaStart + (i + 1) * 20);
      let offset = idx.readUInt32BE(offsetStart + i * 4);
      if (offset & 0x80000000) offset = Number(idx.readBigUInt64BE(largeStart + (offset & 0x7fffffff) * 8));
      this.index.set(oid, { pack, offset });
      pack.offsets.push(offset);
    }
    pack.offsets.sort((a, b) => a - b);
    this.packs.push(pack);
  }

  read(oid: string): GitObject | undefined {
    const cached = this.resolved.get(oid);
    if (cached) return cached;
    const at = this.index.get(oid);
    if (!at) return undefined;
    const object = this.readAt(at.pack, at.offset);
    // Trees and commits are revisited as delta bases; blobs are written once and dropped.
    if (object.type !== 'blob') this.resolved.set(oid, object);
    return object;
  }

  private readAt(pack: Pack, offset: number): GitObject {
    const { data } = pack;
    let pos = offset;
    let byte = data[pos++] as number;
    const type = (byte >> 4) & 7;
    while (byte & 0x80) byte = data[pos++] as number; // size varint: inflate tells us the size anyway
    if (type === OFS_DELTA) {
      byte = data[pos++] as number;
      let back = byte & 0x7f;
      while (byte & 0x80) {
        byte = data[pos++] as number;
        back = ((back + 1) << 7) | (byte & 0x7f);
      }
      const base = this.readAt(pack, offset - back);
      return {
        type: base.type,
        data: applyDelta(base.data, this.inflate(pack, offset, pos), this.maxObjectBytes),
      };
    }
    if (type === REF_DELTA) {
      const baseOid = data.toString('hex', pos, pos + 20);
      const base = this.read(baseOid);
      if (!base) throw new Error(`delta base ${baseOid} missing`);
      return {
        type: base.type,
        data: applyDelta(base.data, this.inflate(pack, offset, pos + 20), this.maxObjectBytes),
      };
    }
    const name = TYPES[type];
    if (!name) throw new Error(`unknown pack object type ${type}`);
    return { type: name, data: this.inflate(pack, offset, pos) };
  }

  private inflate(pack: Pack, entryOffset: number, dataStart: number): Buffer {
    const next = nextOffset(pack.offsets, entryOffset) ?? pack.data.length - 20;
    try {
      return inflateSync(pack.data.subarray(dataStart, next), { maxOutputLength: this.maxObjectBytes });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new ObjectTooLargeError(this.maxObjectBytes);
      throw err;
    }
  }
}

function nextOffset(sorted: number[], offset: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

/** Git's delta format: source/target sizes, then copy-from-base and insert instructions. */
export function applyDelta(base: Buffer, delta: Buffer, maxBytes: number = constants.MAX_LENGTH): Buffer {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = delta[pos++] as number;
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  varint(); // base size
  const size = varint();
  if (size > maxBytes) throw new ObjectTooLargeError(maxBytes);
  const out = Buffer.allocUnsafe(size);
  let written = 0;
  while (pos < delta.length) {
    const op = delta[pos++] as number;
    if (op & 0x80) {
      let copyOffset = 0;
      let copySize = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) copyOffset += (delta[pos++] as number) * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (0x10 << i)) copySize += (delta[pos++] as number) * 2 ** (8 * i);
      if (copySize === 0) copySize = 0x10000;
      base.copy(out, written, copyOffset, copyOffset + copySize);
      written += copySize;
    } else if (op > 0) {
      delta.copy(out, written, pos, pos + op);
      pos += op;
      written += op;
    } else {
      throw new Error('invalid delta instruction');
    }
  }
  if (written !== out.length) throw new Error('delta size mismatch');
  return out;
}

/** Tree entries: `<mode> <name>\0<20-byte id>`. */
export function parseTree(data: Buffer): { mode: string; path: string; oid: string }[] {
  const entries: { mode: string; path: string; oid: string }[] = [];
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space);
    const mode = data.toString('latin1', pos, space).padStart(6, '0');
    entries.push({
      mode,
      path: data.toString('utf8', space + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 21),
    });
    pos = nul + 21;
  }
  return entries;
}

export function commitTree(data: Buffer): string {
  const match = /^tree ([0-9a-f]{40})/.exec(data.toString('latin1', 0, 46));
  if (!match) throw new Error('commit without tree');
  return match[1] as string;
}
