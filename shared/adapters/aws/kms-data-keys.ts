// DataKeyService over AWS KMS: GenerateDataKey (AES_256) and Decrypt, both with EncryptionContext
// {cluster}, so a puller role whose grant names its own cluster (stacks/policies.ts) opens no other's keys.
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SluiceError } from '../../core/errors.ts';
import { clusterContext, type WrappedKey } from '../../core/secrets/wrapped-key.ts';
import type { DataKeyService } from '../../ports/data-keys.ts';

export class KmsDataKeys implements DataKeyService {
  private readonly client: KMSClient;
  /** The key that wraps new data keys; opening needs none (the blob names its key). */
  private readonly keyArn: string | undefined;
  /** Names the caller in errors (the role the process runs as), when known. */
  private readonly caller: string;

  constructor(client: KMSClient, opts: { keyArn?: string; caller?: string } = {}) {
    this.client = client;
    this.keyArn = opts.keyArn;
    this.caller = opts.caller ?? 'this process';
  }

  async generate(cluster: string): Promise<{ key: Uint8Array; wrapped: WrappedKey }> {
    const keyArn = this.keyArn;
    if (!keyArn)
      throw new SluiceError(
        'ConfigInvalid',
        'no data key ARN is configured (SLUICE_DATA_KEY_ARN, the deploy output dataKeyArn)',
      );
    try {
      const out = await this.client.send(
        new GenerateDataKeyCommand({
          KeyId: keyArn,
          KeySpec: 'AES_256',
          EncryptionContext: clusterContext(cluster),
        }),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
      return {
        key: out.Plaintext,
        wrapped: { keyId: out.KeyId ?? keyArn, blob: Buffer.from(out.CiphertextBlob).toString('base64') },
      };
    } catch (err) {
      throw dataKeyError('GenerateDataKey', keyArn, cluster, this.caller, err);
    }
  }

  async unwrap(cluster: string, wrapped: WrappedKey): Promise<Uint8Array> {
    try {
      const out = await this.client.send(
        new DecryptCommand({
          KeyId: wrapped.keyId,
          CiphertextBlob: Buffer.from(wrapped.blob, 'base64'),
          EncryptionContext: clusterContext(cluster),
        }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no plaintext');
      return out.Plaintext;
    } catch (err) {
      throw dataKeyError('Decrypt', wrapped.keyId, cluster, this.caller, err);
    }
  }
}

/** Refusals name the key, the cluster and the grant that would allow it; anything else is retried. */
function dataKeyError(
  operation: 'GenerateDataKey' | 'Decrypt',
  keyArn: string,
  cluster: string,
  caller: string,
  err: unknown,
): SluiceError {
  const name = (err as { name?: string }).name ?? 'Error';
  const on = `KMS ${operation} on ${keyArn} for cluster ${cluster} as ${caller} failed (${name})`;
  switch (name) {
    case 'AccessDeniedException':
      return new SluiceError(
        'AccessDenied',
        `${on}: allow kms:${operation} on ${keyArn} with the condition {"StringEquals": {"kms:EncryptionContext:cluster": "${cluster}"}} for this role (the puller role of cluster ${cluster} has it; another cluster's puller must not)`,
        { cause: err },
      );
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
      return new SluiceError(
        'AccessDenied',
        `${on}: the AWS credentials are not valid here; check the role and the region`,
        {
          cause: err,
        },
      );
    case 'InvalidCiphertextException':
    case 'IncorrectKeyException':
      return new SluiceError(
        'DecryptionFailed',
        `${on}: the wrapped data key does not open for cluster ${cluster} (it was made for another cluster, or changed)`,
        { cause: err },
      );
    case 'DisabledException':
    case 'KMSInvalidStateException':
    case 'NotFoundException':
      return new SluiceError(
        'ConfigInvalid',
        `${on}: the key is missing, disabled or pending deletion; enable it or redeploy`,
        {
          cause: err,
        },
      );
    default:
      return new SluiceError('KeyServiceUnavailable', `${on}; will retry`, { retryable: true, cause: err });
  }
}
