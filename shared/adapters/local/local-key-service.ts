// KeyService for embedded mode: an ECDSA P-256 key in a file created on first run with mode 0600.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SluiceError } from '../../core/errors.ts';
import type { KeyService } from '../../ports/key-service.ts';

export class LocalKeyService implements KeyService {
  private readonly key: KeyObject;

  constructor(keyFile: string) {
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
        flag: 'wx',
      });
    }
    const mode = statSync(keyFile).mode & 0o777;
    if (mode & 0o077) {
      // Refuse a key others can read rather than silently sign with it.
      throw new SluiceError(
        'ConfigInvalid',
        `signing key ${keyFile} is readable by other users (mode ${mode.toString(8)}); run chmod 600 ${keyFile}`,
      );
    }
    this.key = createPrivateKey(readFileSync(keyFile));
    if (this.key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new SluiceError('ConfigInvalid', `signing key ${keyFile} is not an ECDSA P-256 key`);
    }
  }

  async keyId(): Promise<string> {
    const der = createPublicKey(this.key).export({ type: 'spki', format: 'der' });
    return `local:sha256:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return sign('sha256', message, this.key);
  }

  async publicKeyPem(): Promise<string> {
    return createPublicKey(this.key).export({ type: 'spki', format: 'pem' }).toString();
  }
}
