// RoleAssumer over STS AssumeRole with sops' session name ("sops@" + host, sanitized, ≤ 64 chars), so
// CloudTrail shows the same principal whether sops or Sluice decrypted (SPEC-SOPS §7.4 step 3).
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { SluiceError } from '../../core/errors.ts';
import type { AwsCredentials, RoleAssumer } from '../../ports/role-assumer.ts';

/** sops' RoleSessionName: the host name stripped of characters STS refuses, truncated to 64. */
export function sopsSessionName(hostname: string): string {
  return `sops@${hostname.replace(/[^a-zA-Z0-9=,.@_-]/g, '')}`.slice(0, 64);
}

export interface StsRoleAssumerOptions {
  /** From the composition root (os.hostname()). */
  hostname: string;
  /** Lets tests point at a stand-in; `credentials` are the caller's when given (else the default chain). */
  clientFor?: (region: string, credentials?: AwsCredentials) => STSClient;
  /**
   * The caller's static credentials (a decryption Secret's sops.aws-kms), as sops assumes an entry's role with
   * the credentials it was given; `who` names them in errors, never their values.
   */
  credentials?: { value: AwsCredentials; who: string };
}

export class StsRoleAssumer implements RoleAssumer {
  private readonly clientFor: (region: string, credentials?: AwsCredentials) => STSClient;
  private readonly sessionName: string;
  private readonly caller: StsRoleAssumerOptions['credentials'];

  constructor(opts: StsRoleAssumerOptions) {
    this.sessionName = sopsSessionName(opts.hostname);
    this.caller = opts.credentials;
    this.clientFor =
      opts.clientFor ??
      ((region, credentials) => new STSClient({ region, ...(credentials && { credentials }) }));
  }

  async assume(roleArn: string, region: string): Promise<AwsCredentials> {
    try {
      const { Credentials: c } = await this.clientFor(region, this.caller?.value).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: this.sessionName }),
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken && { sessionToken: c.SessionToken }),
      };
    } catch (err) {
      const name = (err as { name?: string }).name ?? 'Error';
      const server = (err as { $fault?: string }).$fault === 'server' || /Throttl/.test(name);
      if (server) {
        throw new SluiceError(
          'KeyServiceUnavailable',
          `STS could not assume role ${roleArn} (${name}); will retry`,
          { retryable: true, cause: withoutRequest(err) },
        );
      }
      throw new SluiceError(
        'AccessDenied',
        `could not assume role ${roleArn} (${name}): its trust policy must allow sts:AssumeRole for ${
          this.caller ? `the IAM identity of ${this.caller.who}` : 'the identity Sluice runs as'
        }${invalidCredentials(name) ? `; ${this.caller?.who ?? 'the credentials Sluice runs with'} are not valid AWS credentials, fix them` : ''}`,
        { cause: withoutRequest(err) },
      );
    }
  }
}

function invalidCredentials(name: string): boolean {
  return /InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient|ExpiredToken/.test(name);
}

/** Only the error's name, fault and message go on as the cause: nothing of the signed request. */
export function withoutRequest(err: unknown): Error {
  const e = err as { name?: string; message?: string; $fault?: string };
  const out = new Error(typeof e?.message === 'string' ? e.message : 'AWS request failed');
  out.name = typeof e?.name === 'string' ? e.name : 'Error';
  if (e?.$fault) Object.assign(out, { $fault: e.$fault });
  return out;
}
