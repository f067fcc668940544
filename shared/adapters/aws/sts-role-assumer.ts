// RoleAssumer over STS AssumeRole with sops' session name ("sops@" + host, sanitized, ≤ 64 chars), so
// CloudTrail shows the same principal whether sops or Sluice decrypted (SPEC-SOPS §7.4 step 3).
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { SluiceError } from '../../core/errors.ts';
import type { AwsCredentials, RoleAssumer } from '../../ports/role-assumer.ts';

/** sops' RoleSessionName: the host name stripped of characters STS refuses, truncated to 64. */
export function sopsSessionName(hostname: string): string {
  return `sops@${hostname.replace(/[^a-zA-Z0-9=,.@_-]/g, '')}`.slice(0, 64);
}

export class StsRoleAssumer implements RoleAssumer {
  private readonly clientFor: (region: string) => STSClient;
  private readonly sessionName: string;

  /** `hostname` comes from the composition root (os.hostname()); `clientFor` lets tests point at a stand-in. */
  constructor(opts: { hostname: string; clientFor?: (region: string) => STSClient }) {
    this.sessionName = sopsSessionName(opts.hostname);
    this.clientFor = opts.clientFor ?? ((region) => new STSClient({ region }));
  }

  async assume(roleArn: string, region: string): Promise<AwsCredentials> {
    try {
      const { Credentials: c } = await this.clientFor(region).send(
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
          {
            retryable: true,
            cause: err,
          },
        );
      }
      throw new SluiceError(
        'AccessDenied',
        `could not assume role ${roleArn} (${name}): its trust policy must allow sts:AssumeRole for the identity Sluice runs as`,
        { cause: err },
      );
    }
  }
}
