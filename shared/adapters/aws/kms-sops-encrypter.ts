// SopsKeyWrapper over @aws-sdk/client-kms: kms:Encrypt of a new data key with KeyId = the ARN as given, the
// entry's encryption context, in the ARN's region, as its role when it has one (SPEC-SOPS §7.4).
import { EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SluiceError } from '../../core/errors.ts';
import type { KmsKeyEntry } from '../../core/sops/sops-metadata.ts';
import type { AwsCredentials, RoleAssumer } from '../../ports/role-assumer.ts';
import type { SopsKeyWrapper } from '../../ports/sops-key-wrapper.ts';

const KMS_ARN = /^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)\/.+$/;

export interface KmsSopsEncrypterOptions {
  arn: string;
  role?: string | undefined;
  context?: Record<string, string>;
  clientFor: (region: string, credentials?: AwsCredentials) => KMSClient;
  roles?: RoleAssumer;
}

export class KmsSopsEncrypter implements SopsKeyWrapper {
  readonly describe: string;
  private readonly opts: KmsSopsEncrypterOptions;
  private readonly region: string;

  constructor(opts: KmsSopsEncrypterOptions) {
    const region = KMS_ARN.exec(opts.arn)?.[1];
    if (!region) {
      throw new SluiceError(
        'UsageError',
        `--kms ${opts.arn} is not a KMS key or alias ARN (arn:aws:kms:REGION:ACCOUNT:key/ID or …:alias/NAME)`,
      );
    }
    this.region = region;
    this.opts = opts;
    this.describe = `KMS key ${opts.arn}${opts.role ? ` as ${opts.role}` : ''}`;
  }

  async wrap(dataKey: Uint8Array, createdAt: string): Promise<KmsKeyEntry> {
    const { arn, role } = this.opts;
    const context = { ...(this.opts.context ?? {}) };
    let credentials: AwsCredentials | undefined;
    if (role) {
      if (!this.opts.roles)
        throw new SluiceError('ConfigInvalid', `${this.describe}: no STS access to assume the role`);
      credentials = await this.opts.roles.assume(role, this.region);
    }
    let blob: Uint8Array | undefined;
    try {
      const out = await this.opts
        .clientFor(this.region, credentials)
        .send(new EncryptCommand({ KeyId: arn, Plaintext: dataKey, EncryptionContext: context }));
      blob = out.CiphertextBlob;
    } catch (err) {
      throw encryptError(this.describe, err);
    }
    if (!blob || blob.length === 0)
      throw new SluiceError('KeyServiceUnavailable', `${this.describe}: KMS returned no ciphertext`, {
        retryable: true,
      });
    return {
      type: 'kms',
      arn,
      role,
      context,
      createdAt,
      enc: Buffer.from(blob).toString('base64'),
      awsProfile: '',
    };
  }
}

/** KMS error names carry no key material; the fix is named for the refusals a retry cannot mend. */
function encryptError(who: string, err: unknown): SluiceError {
  const name = (err as { name?: string }).name ?? 'Error';
  const fault = (err as { $fault?: string }).$fault;
  if (name === 'AccessDeniedException')
    return new SluiceError(
      'AccessDenied',
      `KMS Encrypt with ${who} was denied: allow kms:Encrypt on the key for the credentials in use`,
      { cause: err },
    );
  if (name === 'NotFoundException' || name === 'DisabledException' || name === 'KMSInvalidStateException')
    return new SluiceError(
      'ConfigInvalid',
      `KMS Encrypt with ${who} failed (${name}): check the ARN, its region and that the key is enabled`,
      { cause: err },
    );
  if (fault === 'client' && !/Throttl|TooManyRequests|LimitExceeded/.test(name))
    return new SluiceError('ValidationFailed', `KMS Encrypt with ${who} was refused (${name})`, {
      cause: err,
    });
  return new SluiceError(
    'KeyServiceUnavailable',
    `KMS Encrypt with ${who} is unavailable (${name}); try again`,
    {
      retryable: true,
      cause: err,
    },
  );
}
