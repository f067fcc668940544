// The SOPS keyring of a render process: Secret-held age/PGP keys plus, where the process has AWS
// credentials of its own, KMS through them (the cloud's render function role; a configured local profile).
import { hostname } from 'node:os';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsSopsDecrypter } from '../adapters/aws/kms-sops-decrypter.ts';
import { StsRoleAssumer } from '../adapters/aws/sts-role-assumer.ts';
import { SecretKeyring } from '../adapters/sops/secret-keyring.ts';
import type { SopsKeyring } from '../ports/sops-keyring.ts';

export function createSopsKeyring(opts: { kms: boolean }): SopsKeyring {
  if (!opts.kms) return new SecretKeyring();
  return new SecretKeyring({
    kms: new KmsSopsDecrypter({
      clientFor: (region, credentials) => new KMSClient({ region, ...(credentials && { credentials }) }),
      roles: new StsRoleAssumer({ hostname: hostname() }),
    }),
  });
}

/** Whether the default AWS credential chain has something configured (env keys, a profile, web identity). */
export function hasAwsCredentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) ||
      env.AWS_PROFILE ||
      env.AWS_WEB_IDENTITY_TOKEN_FILE ||
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
      env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  );
}
