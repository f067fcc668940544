// The tar header block (ustar, GNU and V7 spellings) and PAX extended records, read and written by hand:
// archives are untrusted, so every numeric field and checksum is checked before anything trusts it.
import { SluiceError } from '../errors.ts';

export const BLOCK = 512;

export interface RawHeader {
  /** Name as stored (ustar prefix joined), before any PAX or GNU long-name override. */
  name: string;
  linkName: string;
  /** One character; '\0' for V7 regular files. */
  typeflag: string;
  size: number;
  mode: number;
}

/** undefined for an all-zero block (end of archive); throws ArchiveRejected for a corrupt header. */
export function parseHeader(block: Buffer): RawHeader | undefined {
  if (block.length !== BLOCK) throw corrupt('a short header block');
  if (block.every((b) => b === 0)) return undefined;
  const stored = parseNumber(block.subarray(148, 156), 'checksum');
  if (stored !== unsignedChecksum(block) && stored !== signedChecksum(block)) {
    throw corrupt('a header whose checksum does not match (not a tar archive, or a corrupt one)');
  }
  const magic = block.subarray(257, 263).toString('latin1');
  const name = cString(block.subarray(0, 100));
  // POSIX ustar keeps a path prefix at 345; GNU ("ustar  ") stores times there instead.
  const prefix = magic === 'ustar\0' ? cString(block.subarray(345, 500)) : '';
  const flag = String.fromCharCode(block[156] ?? 0);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    linkName: cString(block.subarray(157, 257)),
    typeflag: flag,
    size: parseNumber(block.subarray(124, 136), 'size'),
    mode: parseNumber(block.subarray(100, 108), 'mode'),
  };
}

/** PAX records `<len> <key>=<value>\n`; only well-formed ones, else ArchiveRejected. */
export function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const lengthText = space < 0 ? '' : data.subarray(at, space).toString('latin1');
    const length = /^[1-9]\d{0,8}$/.test(lengthText) ? Number(lengthText) : Number.NaN;
    if (!Number.isSafeInteger(length) || at + length > data.length || data[at + length - 1] !== 0x0a) {
      throw corrupt('a malformed PAX extended header');
    }
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) throw corrupt('a malformed PAX extended header');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

export interface HeaderFields {
  name: string;
  typeflag: '0' | '5' | 'x';
  size: number;
  mode: number;
}

/**
 * A POSIX ustar header with zeroed times and owners (deterministic output); the caller keeps `name` under
 * 100 bytes (a longer one goes in a PAX `path` record first).
 */
export function encodeHeader(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  const nameBytes = Buffer.from(fields.name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`tar name longer than 100 bytes: ${fields.name}`);
  nameBytes.copy(block, 0);
  block.write(octal(fields.mode, 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  block.write(octal(fields.size, 12), 124, 'latin1');
  block.write(octal(0, 12), 136, 'latin1');
  block[156] = fields.typeflag.charCodeAt(0);
  block.write('ustar\x0000', 257, 'latin1');
  block.fill(0x20, 148, 156);
  block.write(octal(unsignedChecksum(block), 8), 148, 'latin1');
  return block;
}

/** One PAX record, its length prefix counting itself. */
export function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body, 'utf8');
  let length = bodyBytes + 1;
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
  return Buffer.from(`${length}${body}`, 'utf8');
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** Octal text (NUL/space padded) or GNU base-256 (high bit set); never negative, never past 2^53. */
function parseNumber(field: Buffer, what: string): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    if (field[0] === 0xff) throw corrupt(`a negative ${what} field`);
    let value = (field[0] ?? 0) & 0x7f;
    for (const byte of field.subarray(1)) {
      value = value * 256 + byte;
      if (!Number.isSafeInteger(value)) throw corrupt(`a ${what} field too large to be real`);
    }
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw corrupt(`a ${what} field that is not a number`);
  return Number.parseInt(text, 8);
}

function unsignedChecksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum;
}

function signedChecksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block.readInt8(i);
  return sum;
}

function corrupt(what: string): SluiceError {
  return new SluiceError('ArchiveRejected', `archive has ${what}`);
}
