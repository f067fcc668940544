// KmsDecrypter over @aws-sdk/client-kms: kms:Decrypt of a sops entry's CiphertextBlob with KeyId = the
// stored ARN, its exact encryption context, in the ARN's region, as its role when it has one (§7.4).
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SluiceError } from '../../core/errors.ts';
import type { KmsKeyEntry } from '../../core/sops/sops-metadata.ts';
import type { AwsCredentials, RoleAssumer } from '../../ports/role-assumer.ts';
import type { KmsDecrypter } from '../../ports/sops-key-source.ts';

const KMS_ARN = /^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)\/.+$/;

export interface KmsSopsDecrypterOptions {
  /** A client for the region, with the role's credentials when given (else the default chain). */
  clientFor: (region: string, credentials?: AwsCredentials) => KMSClient;
  /** Needed only for entries with a `role`. */
  roles?: RoleAssumer;
}

export class KmsSopsDecrypter implements KmsDecrypter {
  private readonly opts: KmsSopsDecrypterOptions;

  constructor(opts: KmsSopsDecrypterOptions) {
    this.opts = opts;
  }

  async unwrap(entry: KmsKeyEntry): Promise<Uint8Array> {
    const region = KMS_ARN.exec(entry.arn)?.[1];
    if (!region) {
      throw new SluiceError(
        'ValidationFailed',
        `${entry.arn} is not a KMS key or alias ARN (no valid ARN found)`,
      );
    }
    const ciphertext = Buffer.from(entry.enc, 'base64');
    if (ciphertext.length === 0)
      throw new SluiceError('ValidationFailed', 'the enc field holds no KMS ciphertext');
    let credentials: AwsCredentials | undefined;
    if (entry.role) {
      if (!this.opts.roles) {
        throw new SluiceError(
          'ConfigInvalid',
          `the entry asks for role ${entry.role} but no STS access is configured`,
        );
      }
      credentials = await this.opts.roles.assume(entry.role, region);
    }
    try {
      const out = await this.opts.clientFor(region, credentials).send(
        new DecryptCommand({
          KeyId: entry.arn,
          CiphertextBlob: ciphertext,
          EncryptionContext: { ...entry.context },
        }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no plaintext');
      return out.Plaintext;
    } catch (err) {
      throw kmsDecryptError(entry, region, err);
    }
  }
}

/** The key policy statement that would let the entry's principal decrypt (no context values: keys only). */
function allowStatement(entry: KmsKeyEntry): string {
  const principal = entry.role ?? '<the role Sluice runs as>';
  return JSON.stringify({
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: 'kms:Decrypt',
    Resource: '*',
  });
}

/** Refusals a retry cannot fix, each with the fix; KMS errors carry no key material, so their names may be shown. */
function kmsDecryptError(entry: KmsKeyEntry, region: string, err: unknown): SluiceError {
  const name = (err as { name?: string }).name ?? 'Error';
  const who = entry.role ? `role ${entry.role}` : 'the credentials Sluice runs with';
  const context = Object.keys(entry.context).sort();
  const withContext = context.length > 0 ? ` with encryption context keys ${context.join(', ')}` : '';
  const permanent = (code: 'AccessDenied' | 'ConfigInvalid' | 'ValidationFailed', text: string) =>
    new SluiceError(code, `KMS Decrypt on ${entry.arn} as ${who} failed (${name}): ${text}`, { cause: err });
  switch (name) {
    case 'AccessDeniedException':
      // A Deny wins over every Allow: adding one would not help, so say which to remove.
      if (/explicit deny/i.test((err as Error).message ?? ''))
        return permanent(
          'AccessDenied',
          `a policy explicitly denies kms:Decrypt on ${entry.arn} for ${who}; remove that Deny statement (key policy, IAM policy or SCP), as no Allow can override it`,
        );
      return permanent(
        'AccessDenied',
        `allow kms:Decrypt on ${entry.arn} for ${who}${withContext}, e.g. the key policy statement ${allowStatement(entry)} or a grant (kms:CreateGrant, operation Decrypt); an IAM policy alone is not enough unless the key policy delegates to IAM`,
      );
    case 'DisabledException':
    case 'KMSInvalidStateException':
      return permanent(
        'ConfigInvalid',
        'the key is disabled or pending deletion; enable it (kms:EnableKey / CancelKeyDeletion)',
      );
    case 'NotFoundException':
      return permanent(
        'ConfigInvalid',
        `no such key in ${region}; check the ARN, its region and that the key was not deleted`,
      );
    case 'InvalidCiphertextException':
      return permanent(
        'ValidationFailed',
        `the ciphertext does not decrypt under this key${withContext}: the enc field or the context was changed after encryption; re-encrypt the file`,
      );
    case 'IncorrectKeyException':
      return permanent(
        'ValidationFailed',
        'the ciphertext was made with a different key than the ARN names; re-encrypt the file',
      );
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'InvalidSignatureException':
      return permanent(
        'AccessDenied',
        `the AWS credentials are not valid in ${region}; check the region and the credentials`,
      );
    default: {
      const fault = (err as { $fault?: string }).$fault;
      if (fault === 'client' && !/Throttl|TooManyRequests|LimitExceeded/.test(name)) {
        return permanent('ValidationFailed', 'KMS refused the request');
      }
      return new SluiceError(
        'KeyServiceUnavailable',
        `KMS Decrypt on ${entry.arn} is unavailable (${name}); will retry`,
        {
          retryable: true,
          cause: err,
        },
      );
    }
  }
}
