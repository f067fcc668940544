// The artifact bucket: versioned, never public, TLS only, SSE-KMS with the data key, and a lifecycle that
// drops old versions and stale snapshots (artifacts are content-addressed, so the current ones stay).
import type { Infra } from './infra.ts';

export function storage(
  infra: Infra,
  opts: { dataKeyArn: import('@pulumi/pulumi').Input<string>; retentionDays: number },
) {
  const { aws, pulumi } = infra;
  const bucket = new aws.s3.BucketV2('Artifacts', { forceDestroy: infra.stage !== 'prod' });
  new aws.s3.BucketVersioningV2('ArtifactsVersioning', {
    bucket: bucket.id,
    versioningConfiguration: { status: 'Enabled' },
  });
  new aws.s3.BucketPublicAccessBlock('ArtifactsPublicAccess', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new aws.s3.BucketServerSideEncryptionConfigurationV2('ArtifactsEncryption', {
    bucket: bucket.id,
    rules: [
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: opts.dataKeyArn },
        bucketKeyEnabled: true,
      },
    ],
  });
  new aws.s3.BucketPolicy('ArtifactsTlsOnly', {
    bucket: bucket.id,
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    }),
  });
  new aws.s3.BucketLifecycleConfigurationV2('ArtifactsLifecycle', {
    bucket: bucket.id,
    rules: [
      {
        id: 'old-versions',
        status: 'Enabled',
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: opts.retentionDays },
      },
      {
        id: 'snapshots',
        status: 'Enabled',
        filter: { prefix: 'snapshots/' },
        expiration: { days: opts.retentionDays },
      },
    ],
  });
  return { bucket };
}
