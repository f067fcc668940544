// AES-256-GCM decryption of one sops value (SPEC-SOPS §2, §3): 32-byte IV, separate tag, AAD = key path + ':'.
// Empty strings are stored unencrypted (§2.3). Failures name the path only, never a value or key.
import { createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { SluiceError } from '../errors.ts';
import { parseEncryptedValue } from './encrypted-value.ts';
import { decodeTyped, type SopsComment, type SopsLeaf } from './value-types.ts';

/** The AAD sops binds a value to: the map keys from the root joined by ':' plus a trailing ':'. */
export function aadForPath(path: readonly string[]): string {
  return `${path.join(':')}:`;
}

/** The data key as raw bytes, or as a KeyObject made once per file with `cipherKey`. */
export type DataKey = Buffer | KeyObject;

/**
 * A KeyObject for a whole file's values: node:crypto re-validates a raw Buffer key on every
 * createDecipheriv (about 5× the cost of the AES-GCM itself for a short value), a KeyObject once.
 * A key of the wrong length stays a Buffer so `decryptBytes` reports it as before.
 */
export function cipherKey(dataKey: Buffer): DataKey {
  return dataKey.length === 32 ? createSecretKey(dataKey) : dataKey;
}

const keyLength = (key: DataKey): number => (Buffer.isBuffer(key) ? key.length : (key.symmetricKeySize ?? 0));

/** Decrypts raw bytes; `where` names the location for errors. */
export function decryptBytes(text: string, dataKey: DataKey, aad: string, where: string) {
  const enc = parseEncryptedValue(text, where);
  if (keyLength(dataKey) !== 32) {
    throw new SluiceError('DecryptionFailed', `The SOPS data key for ${where} is not 32 bytes.`, {
      field: where,
    });
  }
  try {
    const d = createDecipheriv('aes-256-gcm', dataKey, enc.iv);
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(enc.tag);
    return { plain: Buffer.concat([d.update(enc.data), d.final()]), type: enc.type };
  } catch {
    // The cause (an OpenSSL error) is dropped on purpose: nothing from the cipher goes into an error.
    throw new SluiceError(
      'DecryptionFailed',
      `The SOPS value at ${where} does not decrypt with the file's data key: wrong key, or the value or its key path was changed.`,
      { field: where },
    );
  }
}

/** Decrypts one value to its typed form; `''` stays `''` without touching the cipher. */
export function decryptValue(
  text: string,
  dataKey: DataKey,
  aad: string,
  where: string,
): SopsLeaf | SopsComment {
  if (text === '') return '';
  const { plain, type } = decryptBytes(text, dataKey, aad, where);
  return decodeTyped(plain, type, where);
}
