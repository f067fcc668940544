// MAC verification (SPEC-SOPS §5): the stored MAC, decrypted with the data key and the canonical
// `lastmodified` as AAD, must equal the MAC recomputed over the plaintext leaves. Errors name the file only.
import { timingSafeEqual } from 'node:crypto';
import { SluiceError } from '../errors.ts';
import { decryptValue } from './value-cipher.ts';

export function verifyMac(
  storedMac: string,
  computedMac: string,
  dataKey: Buffer,
  macAad: string,
  file: string,
): void {
  if (storedMac === '') {
    throw new SluiceError(
      'MacMismatch',
      `${file} has no sops MAC, so its integrity cannot be checked. Re-encrypt it with sops, or opt out of MAC checks for this Kustomization.`,
      { file, field: 'sops.mac' },
    );
  }
  let stored: unknown;
  try {
    stored = decryptValue(storedMac, dataKey, macAad, `${file}: sops.mac`);
  } catch (err) {
    throw new SluiceError(
      'MacMismatch',
      `${file}: the sops MAC does not decrypt with the file's data key (the MAC or lastmodified was changed, or the key is wrong).`,
      { file, field: 'sops.mac', cause: err },
    );
  }
  const a = Buffer.from(typeof stored === 'string' ? stored : '');
  const b = Buffer.from(computedMac);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new SluiceError(
      'MacMismatch',
      `${file}: the sops MAC does not match the file's values: it was edited after encryption. Re-encrypt it with sops.`,
      { file, field: 'sops.mac' },
    );
  }
}
