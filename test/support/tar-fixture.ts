// Builds tar(.gz) archives byte by byte for tests, including the hostile ones no honest tool writes:
// `..` names, absolute paths, links out of the tree, hard links, PAX overrides, lying sizes.
import { gzipSync } from 'node:zlib';

export interface FixtureEntry {
  name: string;
  /** '0' file (default), '5' dir, '2' symlink, '1' hard link, '3'/'4' devices, '6' FIFO, 'x'/'g' PAX, 'L' GNU long name. */
  type?: string;
  data?: Buffer | string;
  linkName?: string;
  mode?: number;
  /** The size written in the header when it must differ from the data length. */
  size?: number;
  /** PAX records placed in an 'x' header right before this entry. */
  pax?: Record<string, string>;
  /** A GNU 'L' long-name header right before this entry. */
  gnuLongName?: string;
}

export function tarEntries(entries: FixtureEntry[], opts: { endBlocks?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const body = paxBody(e.pax);
      parts.push(...withData(header({ name: 'PaxHeader', type: 'x' }, body.length), body));
    }
    if (e.gnuLongName !== undefined) {
      const body = Buffer.from(`${e.gnuLongName}\0`);
      parts.push(...withData(header({ name: '././@LongLink', type: 'L' }, body.length), body));
    }
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    parts.push(...withData(header(e, e.size ?? data.length), data));
  }
  if (opts.endBlocks !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function tarGz(entries: FixtureEntry[]): Buffer {
  return gzipSync(tarEntries(entries));
}

/** One header block: the fields are written as given, the checksum made valid. */
export function header(e: FixtureEntry, size = 0): Buffer {
  const b = Buffer.alloc(512);
  b.write(e.name.slice(0, 100), 0, 'utf8');
  b.write(`${(e.mode ?? (e.type === '5' ? 0o755 : 0o644)).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b.write(e.type ?? '0', 156, 'latin1');
  if (e.linkName) b.write(e.linkName, 157, 'utf8');
  b.write('ustar\x0000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

function withData(head: Buffer, data: Buffer): Buffer[] {
  return data.length === 0 ? [head] : [head, data, Buffer.alloc((512 - (data.length % 512)) % 512)];
}

function paxBody(records: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(records).map(([k, v]) => {
      const body = ` ${k}=${v}\n`;
      const n = Buffer.byteLength(body);
      let len = n + 1;
      while (String(len).length + n !== len) len = String(len).length + n;
      return Buffer.from(`${len}${body}`);
    }),
  );
}
