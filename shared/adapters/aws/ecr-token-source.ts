// ECR logins for OCI sources with `provider: aws`: GetAuthorizationToken under the control plane's role,
// one client per region (made on first use), each login reused until shortly before it expires.
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { SluiceError } from '../../core/errors.ts';
import type { RegistryLogin, RegistryTokenSource } from '../../ports/registry-token-source.ts';

/** Logins are fetched again this long before ECR says they expire (they last 12 hours). */
const RENEW_BEFORE_MS = 15 * 60_000;

export interface EcrTokenSourceOptions {
  /** Builds the client of a region; tests point it at a local endpoint. */
  clientFor?: (region: string) => ECRClient;
  now?: () => number;
}

export class EcrTokenSource implements RegistryTokenSource {
  private readonly clients = new Map<string, ECRClient>();
  private readonly logins = new Map<string, RegistryLogin>();
  private readonly clientFor: (region: string) => ECRClient;
  private readonly now: () => number;

  constructor(opts: EcrTokenSourceOptions = {}) {
    this.clientFor = opts.clientFor ?? ((region) => new ECRClient({ region }));
    this.now = opts.now ?? Date.now;
  }

  async loginFor(host: string, region: string): Promise<RegistryLogin> {
    const cached = this.logins.get(region);
    if (cached && cached.expiresAt - RENEW_BEFORE_MS > this.now()) return cached;
    let client = this.clients.get(region);
    if (!client) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
    let data: { authorizationToken?: string; expiresAt?: Date } | undefined;
    try {
      data = (await client.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
    } catch (err) {
      const name = (err as { name?: string }).name ?? 'Error';
      const denied = /AccessDenied|UnrecognizedClient|InvalidSignature|ExpiredToken/i.test(name);
      throw new SluiceError(
        denied ? 'SourceAuthFailed' : 'SourceFetchFailed',
        denied
          ? // Only the cloud fetch function logs in to ECR; its grants come from sluice.config.ts.
            `ECR refused a login for ${host} (${name}); the fetch function's role needs ecr:GetAuthorizationToken and pull access to the repository: list its ARN in ecrRepositories in sluice.config.ts and deploy again`
          : `could not get an ECR login for ${host} (${name}); will retry`,
        { retryable: !denied, field: 'spec.provider' },
      );
    }
    const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new SluiceError('SourceFetchFailed', `ECR answered no usable login for ${host}`, {
        field: 'spec.provider',
      });
    }
    const login: RegistryLogin = {
      credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) },
      expiresAt: data?.expiresAt?.getTime() ?? this.now() + RENEW_BEFORE_MS * 2,
    };
    this.logins.set(region, login);
    return login;
  }
}
