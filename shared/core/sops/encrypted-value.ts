// The `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value grammar of SPEC-SOPS §2.1 (sops aes/cipher.go `encre`).
// Parsing only: a malformed value is a ValidationFailed error naming the path, never the value itself.
import { SluiceError } from '../errors.ts';

export const SOPS_VALUE_TYPES = ['str', 'int', 'float', 'bool', 'time', 'bytes', 'comment'] as const;
export type SopsValueType = (typeof SOPS_VALUE_TYPES)[number];

export interface EncryptedValue {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: SopsValueType;
}

// Anchored at the start only, like Go's regexp without `$`: trailing text after `]` is ignored.
const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/s;
// base64.StdEncoding: standard alphabet, padding required.
const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether a string has the shape of a sops encrypted value (cheap check for callers deciding what to do). */
export function looksEncrypted(text: string): boolean {
  return ENC_RE.test(text);
}

/** Parses an encrypted value; `where` names the file and key path for the error (never the value). */
export function parseEncryptedValue(text: string, where: string): EncryptedValue {
  const m = ENC_RE.exec(text);
  if (!m) throw malformed(where, "it does not match sops' ENC[AES256_GCM,data:…,iv:…,tag:…,type:…] format");
  const [, data = '', iv = '', tag = '', type = ''] = m;
  if (!(SOPS_VALUE_TYPES as readonly string[]).includes(type)) {
    throw malformed(where, 'its type is not one of str, int, float, bool, time, bytes, comment');
  }
  return {
    data: b64(data, where, 'data'),
    iv: b64(iv, where, 'iv'),
    tag: b64(tag, where, 'tag'),
    type: type as SopsValueType,
  };
}

function b64(text: string, where: string, field: string): Buffer {
  if (!STD_B64.test(text)) throw malformed(where, `its ${field} is not padded standard base64`);
  return Buffer.from(text, 'base64');
}

function malformed(where: string, why: string): SluiceError {
  return new SluiceError(
    'ValidationFailed',
    `The SOPS value at ${where} is malformed: ${why}. Re-encrypt the file with sops.`,
    { field: where },
  );
}
