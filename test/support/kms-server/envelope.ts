// Self-describing CiphertextBlob: version byte, key id, AES-256-GCM IV/tag/ciphertext, with the key id and
// the canonical EncryptionContext as AAD so a different context (or a tampered blob) fails to decrypt.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KmsError } from './errors.ts';

const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function seal(
  keyId: string,
  aesKey: Buffer,
  plaintext: Buffer,
  context: Record<string, string>,
): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
  cipher.setAAD(aad(keyId, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION, id.length]), id, iv, cipher.getAuthTag(), ciphertext]);
}

/** The key id a blob names, without decrypting; InvalidCiphertextException if it is not one of ours. */
export function keyIdOf(blob: Buffer): string {
  const idLength = blob[1] ?? 0;
  if (blob[0] !== VERSION || blob.length < 2 + idLength + IV_BYTES + TAG_BYTES) throw invalidCiphertext();
  return blob.subarray(2, 2 + idLength).toString('utf8');
}

export function open(blob: Buffer, aesKey: Buffer, context: Record<string, string>): Buffer {
  const keyId = keyIdOf(blob);
  const ivAt = 2 + (blob[1] ?? 0);
  const tagAt = ivAt + IV_BYTES;
  const iv = blob.subarray(ivAt, tagAt);
  const tag = blob.subarray(tagAt, tagAt + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', aesKey, iv);
    decipher.setAAD(aad(keyId, context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(tagAt + TAG_BYTES)), decipher.final()]);
  } catch {
    throw invalidCiphertext();
  }
}

export const invalidCiphertext = (): KmsError =>
  new KmsError(
    'InvalidCiphertextException',
    'The ciphertext is invalid, or was produced under a different key or encryption context.',
  );

function aad(keyId: string, context: Record<string, string>): Buffer {
  const canonical = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return Buffer.from(`${keyId}\n${JSON.stringify(canonical)}`, 'utf8');
}
