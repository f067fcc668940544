// KmsDecrypter over @aws-sdk/client-kms: kms:Decrypt of a sops entry's CiphertextBlob with KeyId = the
// stored ARN, its exact encryption context, in the ARN's region, as its role when it has one (§7.4).
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SluiceError } from '../../core/errors.ts';
import type { KmsKeyEntry } from '../../core/sops/sops-metadata.ts';
import type { AwsCredentials, RoleAssumer } from '../../ports/role-assumer.ts';
import type { KmsDecrypter } from '../../ports/sops-key-source.ts';
import { withoutRequest } from './sts-role-assumer.ts';

const KMS_ARN = /^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)\/.+$/;

export interface KmsSopsDecrypterOptions {
  /** A client for the region, with the role's credentials when given (else the default chain). */
  clientFor: (region: string, credentials?: AwsCredentials) => KMSClient;
  /** Needed only for entries with a `role`. */
  roles?: RoleAssumer;
  /**
   * Static credentials to call KMS with instead of the default chain (a decryption Secret's sops.aws-kms, as
   * kustomize-controller's static credentials provider); `who` names them in errors, never their values.
   * `roles` must then assume entry roles with these same credentials.
   */
  credentials?: { value: AwsCredentials; who: string };
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
    // sops takes any text as the region; it becomes a host name here, so only a region's characters may pass.
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) {
      throw new SluiceError(
        'ValidationFailed',
        `${entry.arn} names no AWS region (the ARN's region field must look like eu-west-1); fix the ARN in the file's sops metadata`,
      );
    }
    const ciphertext = Buffer.from(entry.enc, 'base64');
    if (ciphertext.length === 0)
      throw new SluiceError('ValidationFailed', 'the enc field holds no KMS ciphertext');
    let credentials = this.opts.credentials?.value;
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
      throw kmsDecryptError(entry, region, err, this.opts.credentials?.who);
    }
  }
}

/** The key policy statement that would let the entry's principal decrypt (no context values: keys only). */
function allowStatement(principal: string): string {
  return JSON.stringify({
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: 'kms:Decrypt',
    Resource: '*',
  });
}

/** Refusals a retry cannot fix, each with the fix; KMS errors carry no key material, so their names may be shown. */
function kmsDecryptError(
  entry: KmsKeyEntry,
  region: string,
  err: unknown,
  caller: string | undefined,
): SluiceError {
  const name = (err as { name?: string }).name ?? 'Error';
  // KMS names the principal it saw (an ARN, never a credential): the one identity a policy must admit.
  const seen = name === 'AccessDeniedException' ? principalSeen((err as Error).message) : undefined;
  const who = `${
    entry.role
      ? `role ${entry.role}${caller ? ` (assumed with ${caller})` : ''}`
      : (caller ?? 'the credentials Sluice runs with')
  }${seen ? ` (KMS saw ${seen.arn})` : ''}`;
  const principal =
    entry.role ?? seen?.iam ?? (caller ? `<the IAM user or role of ${caller}>` : '<the role Sluice runs as>');
  const context = Object.keys(entry.context).sort();
  const withContext = context.length > 0 ? ` with encryption context keys ${context.join(', ')}` : '';
  const permanent = (code: 'AccessDenied' | 'ConfigInvalid' | 'ValidationFailed', text: string) =>
    new SluiceError(code, `KMS Decrypt on ${entry.arn} as ${who} failed (${name}): ${text}`, {
      cause: withoutRequest(err),
    });
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
        `allow kms:Decrypt on ${entry.arn} for ${who}${withContext}, e.g. the key policy statement ${allowStatement(principal)} or a grant (kms:CreateGrant, operation Decrypt): aws kms create-grant --key-id ${entry.arn} --grantee-principal ${principal} --operations Decrypt; an IAM policy alone is not enough unless the key policy delegates to IAM`,
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
        `no such key in ${region}, the region named by the ARN; check the ARN and its region (a key of another region needs that region's ARN, or a multi-Region replica in ${region}) and that the key was not deleted`,
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
        `${caller ? `the credentials of ${caller}` : 'the AWS credentials'} are not valid in ${region}; check the region and ${caller ? 'fix that entry' : 'the credentials'}`,
      );
    default: {
      const fault = (err as { $fault?: string }).$fault;
      if (fault === 'client' && !/Throttl|TooManyRequests|LimitExceeded/.test(name)) {
        return permanent('ValidationFailed', 'KMS refused the request');
      }
      return new SluiceError(
        'KeyServiceUnavailable',
        `KMS Decrypt on ${entry.arn} is unavailable (${name}); will retry`,
        { retryable: true, cause: withoutRequest(err) },
      );
    }
  }
}

/**
 * The caller in KMS's AccessDenied text (`User: arn:… is not authorized …`) and the IAM principal a key policy
 * names for it: an assumed-role session's role (`arn:aws:iam::ACCOUNT:role/NAME`), else the ARN itself.
 */
export function principalSeen(message: string | undefined): { arn: string; iam: string } | undefined {
  const arn = /User: (arn:aws[\w-]*:(?:sts|iam)::\d+:[\w+=,.@/-]+) is not authorized/.exec(
    message ?? '',
  )?.[1];
  if (!arn) return undefined;
  const session = /^arn:(aws[\w-]*):sts::(\d+):assumed-role\/([\w+=,.@-]+)\//.exec(arn);
  return { arn, iam: session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : arn };
}
