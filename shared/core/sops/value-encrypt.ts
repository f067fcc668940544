// AES-256-GCM encryption of one sops value (SPEC-SOPS §2.1–2.3): a fresh 32-byte IV, the tag kept apart, the
// value's Go type named in `type:`; `''` is stored as `''` unencrypted, exactly as sops' `isEmpty` does.
import { createCipheriv } from 'node:crypto';
import { SluiceError } from '../errors.ts';
import type { SopsValueType } from './encrypted-value.ts';
import { formatGoFloat, SopsComment, type SopsLeaf } from './value-types.ts';

/** Random bytes: node:crypto's in production, injectable so tests can pin IVs. */
export type RandomBytes = (n: number) => Uint8Array;

/** The type tag and plaintext bytes sops' `Encrypt` writes for a value (aes/cipher.go). */
export function typedPlaintext(v: Exclude<SopsLeaf, null> | SopsComment): {
  type: SopsValueType;
  plain: Buffer;
} {
  if (v instanceof SopsComment) return { type: 'comment', plain: Buffer.from(v.value, 'utf8') };
  if (typeof v === 'string') return { type: 'str', plain: Buffer.from(v, 'utf8') };
  if (typeof v === 'bigint') return { type: 'int', plain: Buffer.from(v.toString(10)) };
  if (typeof v === 'number') return { type: 'float', plain: Buffer.from(formatGoFloat(v)) };
  if (typeof v === 'boolean') return { type: 'bool', plain: Buffer.from(v ? 'True' : 'False') };
  // A YAML !!binary leaf: sops' stores hand it over as a string, so it is encrypted as one.
  return { type: 'str', plain: Buffer.from(v) };
}

/** `ENC[AES256_GCM,…]` of a value under the data key with `aad` (§3); '' for an empty value. */
export function encryptValue(
  v: Exclude<SopsLeaf, null> | SopsComment,
  dataKey: Buffer,
  aad: string,
  random: RandomBytes,
): string {
  const { type, plain } = typedPlaintext(v);
  return encryptBytes(plain, type, dataKey, aad, random);
}

/** The ENC value of raw plaintext bytes with the given `type:` tag; '' for empty bytes (sops' `isEmpty`). */
export function encryptBytes(
  plain: Uint8Array,
  type: SopsValueType,
  dataKey: Buffer,
  aad: string,
  random: RandomBytes,
): string {
  if (plain.length === 0) return '';
  if (dataKey.length !== 32) {
    throw new SluiceError('ValidationFailed', 'A SOPS data key must be 32 bytes.', {});
  }
  const iv = Buffer.from(random(32));
  const c = createCipheriv('aes-256-gcm', dataKey, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([c.update(plain), c.final()]);
  const b64 = (b: Buffer) => b.toString('base64');
  return `ENC[AES256_GCM,data:${b64(data)},iv:${b64(iv)},tag:${b64(c.getAuthTag())},type:${type}]`;
}
