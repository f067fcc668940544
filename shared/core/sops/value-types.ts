// The typed values of SPEC-SOPS §2.2 and their byte forms: decoding a decrypted plaintext by its `type:`,
// and `ToBytes` (sops.go) that feeds the MAC, with Go's number and bool spellings.
import { isUtf8 } from 'node:buffer';
import { SluiceError } from '../errors.ts';
import type { SopsValueType } from './encrypted-value.ts';

/** A comment item's text (the `#` stripped). */
export class SopsComment {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
}

/** A leaf: ints are bigint (Go int64), floats are number, `bytes` (and a `str` that is not UTF-8, which a Go
 * string holds as is) are Uint8Array; null is never hashed. */
export type SopsLeaf = string | bigint | number | boolean | Uint8Array | null;

/** Decodes decrypted bytes as sops' `Decrypt` does for the value's type. */
export function decodeTyped(plain: Buffer, type: SopsValueType, where: string): SopsLeaf | SopsComment {
  const s = plain.toString('utf8');
  switch (type) {
    case 'str':
      // A Go string is bytes: a binary file's `data` need not be UTF-8. Decoding would replace bytes with U+FFFD
      // (and break the MAC), so such a value stays bytes; the U+FFFD test keeps the common case to one scan.
      return s.includes('\uFFFD') && !isUtf8(plain) ? new Uint8Array(plain) : s;
    case 'time':
      return s;
    case 'bytes':
      return new Uint8Array(plain);
    case 'comment':
      return new SopsComment(s);
    case 'int':
      if (!/^[+-]?[0-9]+$/.test(s)) throw badType(where, 'int');
      return BigInt(s);
    case 'float': {
      const f = parseGoFloat(s);
      if (f === undefined) throw badType(where, 'float');
      return f;
    }
    case 'bool':
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
      throw badType(where, 'bool');
  }
}

function parseGoFloat(s: string): number | undefined {
  const t = s.replaceAll('_', '');
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Go `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  const s = String(f);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = '', head = '', tail = '', expText = '0'] = m;
  const digits = head + tail;
  const exp = Number(expText);
  if (exp >= 0) {
    const intLen = 1 + exp;
    return (
      sign +
      (digits.length <= intLen
        ? digits.padEnd(intLen, '0')
        : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`)
    );
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** sops' `ToBytes`: the bytes a leaf contributes to the MAC. */
export function leafBytes(v: SopsLeaf): Buffer {
  if (v === null) return Buffer.alloc(0);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'bigint') return Buffer.from(v.toString(10));
  if (typeof v === 'number') return Buffer.from(formatGoFloat(v));
  if (typeof v === 'boolean') return Buffer.from(v ? 'True' : 'False');
  return Buffer.from(v);
}

function badType(where: string, type: string): SluiceError {
  return new SluiceError('ValidationFailed', `The SOPS value at ${where} does not decode as type ${type}.`, {
    field: where,
  });
}
