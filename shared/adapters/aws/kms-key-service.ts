// KeyService over AWS KMS: an ECC_NIST_P256 signing key; Sign with ECDSA_SHA_256 over the raw message (KMS
// hashes it), so signatures verify exactly like the embedded key file's. The public key is fetched once.
import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { SluiceError } from '../../core/errors.ts';
import type { KeyService } from '../../ports/key-service.ts';

export class KmsKeyService implements KeyService {
  private readonly client: KMSClient;
  private readonly keyArn: string;
  private publicKey: Promise<string> | undefined;

  constructor(client: KMSClient, keyArn: string) {
    this.client = client;
    this.keyArn = keyArn;
  }

  async keyId(): Promise<string> {
    return this.keyArn;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    try {
      const result = await this.client.send(
        new SignCommand({
          KeyId: this.keyArn,
          Message: message,
          MessageType: 'RAW',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      if (!result.Signature) throw new Error('KMS returned no signature');
      return result.Signature;
    } catch (err) {
      throw kmsError('sign with', this.keyArn, err);
    }
  }

  publicKeyPem(): Promise<string> {
    this.publicKey ??= this.client
      .send(new GetPublicKeyCommand({ KeyId: this.keyArn }))
      .then((r) => {
        if (!r.PublicKey) throw new Error('KMS returned no public key');
        return createPublicKey({ key: Buffer.from(r.PublicKey), format: 'der', type: 'spki' })
          .export({ type: 'spki', format: 'pem' })
          .toString();
      })
      .catch((err: unknown) => {
        this.publicKey = undefined;
        throw kmsError('read the public key of', this.keyArn, err);
      });
    return this.publicKey;
  }
}

/** Refusals that no retry fixes: the key is missing, disabled, pending deletion, of the wrong kind, or ours is not to use. */
const PERMANENT = new Set([
  'NotFoundException',
  'InvalidKeyUsageException',
  'DisabledException',
  'KMSInvalidStateException',
  'InvalidArnException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ValidationException',
]);

/**
 * A refusal is permanent (ConfigInvalid, naming the key and the fix); anything else (throttling, KMS's own
 * 5xx, a network failure, expired credentials about to be renewed) is an outage worth retrying. Only the
 * AWS error name and message go into the text: KMS errors carry no key material.
 */
function kmsError(verb: string, keyArn: string, err: unknown): SluiceError {
  const name = (err as { name?: string }).name ?? 'Error';
  const detail = `${name}: ${(err as Error).message}`;
  if (PERMANENT.has(name)) {
    return new SluiceError(
      'ConfigInvalid',
      `could not ${verb} KMS key ${keyArn}: ${detail}; check that the key exists, is enabled, is an ECC_NIST_P256 SIGN_VERIFY key and that this role may use it`,
      { retryable: false, cause: err },
    );
  }
  return new SluiceError(
    'KeyServiceUnavailable',
    `could not ${verb} KMS key ${keyArn}: KMS is unavailable (${detail}); will retry`,
    { retryable: true, cause: err },
  );
}
