// Authenticated encryption of one secret value under a cluster's data key (AES-256-GCM). The nonce is
// synthetic (an HMAC of where the value sits and what it is), so equal content seals to equal bytes: an
// unchanged render keeps its artifact digest, and a changed byte, or a value moved elsewhere, fails to open.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { SluiceError } from '../errors.ts';

/** Marks a sealed value: nothing else in an artifact or a record starts with it. */
export const SEALED_PREFIX = 'sluice:sealed:v1:';

const NONCE = 12;
const TAG = 16;

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

export class SecretCipher {
  private readonly encKey: Buffer;
  private readonly nonceKey: Buffer;

  constructor(dataKey: Uint8Array) {
    if (dataKey.length !== 32)
      throw new SluiceError(
        'ConfigInvalid',
        'a data key must be 32 bytes (AES-256); the key service returned another size',
      );
    // Two independent keys: one never both derives nonces and encrypts.
    this.encKey = Buffer.from(
      hkdfSync('sha256', dataKey, Buffer.alloc(0), 'sluice secret encryption v1', 32),
    );
    this.nonceKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'sluice secret nonce v1', 32));
  }

  /** `place` names where the value sits (cluster, object, field, key); it must be given again to open it. */
  seal(plaintext: Uint8Array, place: string): string {
    const aad = Buffer.from(place, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(aad.length);
    const nonce = createHmac('sha256', this.nonceKey)
      .update(length)
      .update(aad)
      .update(plaintext)
      .digest()
      .subarray(0, NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, nonce);
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return `${SEALED_PREFIX}${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
  }

  /** Throws DecryptionFailed naming only `what` (never content) if the value was changed, moved or sealed for another key. */
  open(sealed: string, place: string, what: string): Buffer {
    const fail = (why: string): never => {
      throw new SluiceError(
        'DecryptionFailed',
        `${what}: ${why}; the record was changed after it was sealed or belongs elsewhere`,
      );
    };
    if (!isSealed(sealed)) fail('it is not a sealed value');
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
    if (raw.length < NONCE + TAG) fail('the sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, NONCE));
    decipher.setAAD(Buffer.from(place, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    try {
      return Buffer.concat([decipher.update(raw.subarray(NONCE, raw.length - TAG)), decipher.final()]);
    } catch {
      return fail("the sealed value does not authenticate under this cluster's data key");
    }
  }
}
