// KMS keys: the artifact signing key (ECC_NIST_P256, sign/verify) and the data key that encrypts the
// bucket and wraps per-cluster data keys (EncryptionContext {cluster}); grants on the users' SOPS keys.
import type { Infra } from './infra.ts';

export function keys(
  infra: Infra,
  opts: { sopsKeyArns: string[]; renderRoleArn: import('@pulumi/pulumi').Input<string> },
) {
  const { aws } = infra;
  const signing = new aws.kms.Key('SigningKey', {
    description: `Sluice (${infra.stage}) artifact signing key`,
    customerMasterKeySpec: 'ECC_NIST_P256',
    keyUsage: 'SIGN_VERIFY',
    deletionWindowInDays: 30,
  });
  const data = new aws.kms.Key('DataKey', {
    description: `Sluice (${infra.stage}) bucket encryption and per-cluster data keys`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
  });
  new aws.kms.Alias('SigningKeyAlias', {
    name: `alias/sluice-${infra.stage}-signing`,
    targetKeyId: signing.keyId,
  });
  const sopsGrants = opts.sopsKeyArns.map(
    (arn, i) =>
      new aws.kms.Grant(`SopsGrant${i}`, {
        keyId: arn,
        granteePrincipal: opts.renderRoleArn,
        operations: ['Decrypt', 'DescribeKey'],
      }),
  );
  return { signing, data, sopsGrants };
}
