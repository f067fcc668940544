// The SOPS keyring of a render process: Secret-held age/PGP keys and sops.aws-kms credentials plus, where the
// process has AWS credentials of its own, KMS through them (the cloud's render function role; a local profile).
import { hostname } from 'node:os';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsSopsDecrypter } from '../adapters/aws/kms-sops-decrypter.ts';
import { StsRoleAssumer } from '../adapters/aws/sts-role-assumer.ts';
import { loadOrCreateAgeKey } from '../adapters/sops/local-age-key.ts';
import { SecretKeyring } from '../adapters/sops/secret-keyring.ts';
import type { AwsCredentials } from '../ports/role-assumer.ts';
import type { AgeIdentities } from '../ports/sops-key-source.ts';
import type { SopsKeyring } from '../ports/sops-keyring.ts';

export interface SopsKeyringOptions {
  /** Whether the process may call KMS with its own credentials (the default chain). */
  kms: boolean;
  /** The control plane's own age identities (embedded mode: loadOrCreateAgeKey), for files sealed to it. */
  age?: AgeIdentities;
}

export function createSopsKeyring(opts: SopsKeyringOptions): SopsKeyring {
  // Endpoints and regions as for the control plane's own KMS access: the ARN's region, the SDK's endpoint rules.
  const clientFor = (region: string, credentials?: AwsCredentials) =>
    new KMSClient({ region, ...(credentials && { credentials }) });
  return new SecretKeyring({
    ...(opts.kms && {
      kms: new KmsSopsDecrypter({ clientFor, roles: new StsRoleAssumer({ hostname: hostname() }) }),
    }),
    // A sops.aws-kms entry works with or without the process's own AWS access, as in Flux.
    kmsWith: (value, who) =>
      new KmsSopsDecrypter({
        clientFor,
        roles: new StsRoleAssumer({ hostname: hostname(), credentials: { value, who } }),
        credentials: { value, who },
      }),
    ...(opts.age && { age: opts.age }),
  });
}

/**
 * Embedded mode's keyring: its own age key (`keyFile`, created on first run) stands where the cloud has its
 * KMS role, e.g. for the fleet's decryption Secret sealed in Git. `recipient` is what to seal such files to.
 */
export async function createEmbeddedSopsKeyring(opts: {
  kms: boolean;
  keyFile: string;
}): Promise<{ keyring: SopsKeyring; recipient: string }> {
  const own = await loadOrCreateAgeKey(opts.keyFile);
  return { keyring: createSopsKeyring({ kms: opts.kms, age: own.identities }), recipient: own.recipient };
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
