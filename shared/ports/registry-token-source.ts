// Port: registry credentials a cloud provider hands out for `spec.provider` (ECR for `aws`), so the OCI
// client never holds a cloud SDK and tests can give it a credential source of their own.
import type { SourceCredentials } from './remote-access.ts';

export interface RegistryLogin {
  credentials: Required<Pick<SourceCredentials, 'username' | 'password'>>;
  /** Epoch ms after which the login must be fetched again. */
  expiresAt: number;
}

export interface RegistryTokenSource {
  /** `host` is the registry host (`<account>.dkr.ecr.<region>.amazonaws.com`), `region` taken from it. */
  loginFor(host: string, region: string): Promise<RegistryLogin>;
}
