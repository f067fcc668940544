// DataKeyService for embedded mode: a 256-bit wrapping key in a file made on first run (mode 0600) wraps
// each data key with AES-256-GCM, the encryption context {cluster} as associated data, as KMS binds it.
// Pullers reach it through the embedded store's KMS endpoint, under the same policy their cloud role has.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../../core/canonical-json.ts';
import { SluiceError } from '../../core/errors.ts';
import { clusterContext, type WrappedKey } from '../../core/secrets/wrapped-key.ts';
import type { DataKeyService } from '../../ports/data-keys.ts';

/** The ARN the embedded store's policies name the wrapping key by (embedded/store-principals.ts). */
export const LOCAL_DATA_KEY_ARN = 'arn:aws:kms:local:000000000000:key/data';

const MAGIC = Buffer.from('SLK1');
const NONCE = 12;
const TAG = 16;

export class LocalDataKeys implements DataKeyService {
  private readonly wrappingKey: Buffer;
  readonly keyId: string;

  constructor(keyFile: string, keyId = LOCAL_DATA_KEY_ARN) {
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
      writeFileSync(keyFile, randomBytes(32), { mode: 0o600, flag: 'wx' });
    }
    const mode = statSync(keyFile).mode & 0o777;
    if (mode & 0o077)
      throw new SluiceError(
        'ConfigInvalid',
        `data wrapping key ${keyFile} is readable by other users (mode ${mode.toString(8)}); run chmod 600 ${keyFile}`,
      );
    this.wrappingKey = readFileSync(keyFile);
    if (this.wrappingKey.length !== 32)
      throw new SluiceError(
        'ConfigInvalid',
        `data wrapping key ${keyFile} is not 32 bytes; remove it to make a new one`,
      );
    this.keyId = keyId;
  }

  async generate(cluster: string): Promise<{ key: Uint8Array; wrapped: WrappedKey }> {
    const key = randomBytes(32);
    return {
      key,
      wrapped: { keyId: this.keyId, blob: this.wrap(key, clusterContext(cluster)).toString('base64') },
    };
  }

  async unwrap(cluster: string, wrapped: WrappedKey): Promise<Uint8Array> {
    return this.decrypt(Buffer.from(wrapped.blob, 'base64'), clusterContext(cluster), wrapped.keyId);
  }

  /** KMS Encrypt's counterpart for the embedded KMS endpoint: any context, bound as associated data. */
  wrap(plaintext: Uint8Array, context: Record<string, string>): Buffer {
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.wrappingKey, nonce);
    cipher.setAAD(Buffer.from(canonicalJson(context), 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([MAGIC, nonce, body, cipher.getAuthTag()]);
  }

  /** KMS Decrypt's counterpart: the blob opens only with the context it was wrapped with. */
  decrypt(blob: Buffer, context: Record<string, string>, keyId = this.keyId): Buffer {
    const refuse = (): never => {
      throw new SluiceError(
        'DecryptionFailed',
        `the data key does not open under ${keyId} with encryption context ${canonicalJson(context)} (made for another cluster, or changed)`,
      );
    };
    if (
      keyId !== this.keyId ||
      blob.length < MAGIC.length + NONCE + TAG ||
      !blob.subarray(0, 4).equals(MAGIC)
    )
      return refuse();
    const decipher = createDecipheriv('aes-256-gcm', this.wrappingKey, blob.subarray(4, 4 + NONCE));
    decipher.setAAD(Buffer.from(canonicalJson(context), 'utf8'));
    decipher.setAuthTag(blob.subarray(blob.length - TAG));
    try {
      return Buffer.concat([decipher.update(blob.subarray(4 + NONCE, blob.length - TAG)), decipher.final()]);
    } catch {
      return refuse();
    }
  }
}

/** Where the embedded control plane keeps its wrapping key (beside the signing key). */
export function dataWrappingKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'data-wrapping-key');
}
