// `sourceBuckets` in sluice.config.ts: the S3 buckets `provider: aws` Bucket sources read. The fetch function
// may list and read exactly those; no other function and no other bucket gets anything from it.
import { describe, expect, it } from 'vitest';
import { type SluiceStackConfig, validateStackConfig } from '../../stacks/config.ts';
import { functionPolicies, type PolicyArns } from '../../stacks/policies.ts';

const arns: PolicyArns = {
  bucket: 'arn:aws:s3:::sluice-artifacts',
  queues: { fetch: 'q:fetch', render: 'q:render', fetchDlq: 'q:fetch-dlq', renderDlq: 'q:render-dlq' },
  clusterQueues: { dev: 'q:dev' },
  reportQueues: { dev: 'q:dev-reports' },
  reportDlqs: { dev: 'q:dev-reports-dlq' },
  signingKey: 'arn:aws:kms:eu-west-1:123456789012:key/signing',
  dataKey: 'arn:aws:kms:eu-west-1:123456789012:key/data',
  sopsKeys: [],
};

const config: SluiceStackConfig = {
  fleet: { url: 'https://github.com/example/fleet.git' },
  clusters: [{ name: 'dev', puller: { identity: 'eks-pod-identity', eksClusterName: 'dev-eks' } }],
};

describe('sourceBuckets', () => {
  it('lets the fetch function list and read exactly the named buckets, and nothing else changes', () => {
    const without = functionPolicies(arns);
    const withBuckets = functionPolicies({ ...arns, sourceBuckets: ['team-assets', 'manifests.example'] });
    const added = withBuckets.fetch.Statement.filter(
      (st) => !without.fetch.Statement.some((o) => JSON.stringify(o) === JSON.stringify(st)),
    );
    expect(added).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::team-assets', 'arn:aws:s3:::manifests.example'],
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::team-assets/*', 'arn:aws:s3:::manifests.example/*'],
      },
    ]);
    for (const fn of ['webhook', 'schedule', 'render', 'notify'] as const)
      expect(withBuckets[fn]).toEqual(without[fn]);
  });

  it('accepts bucket names and refuses ARNs, wildcards and duplicates, naming the entry', () => {
    expect(validateStackConfig({ ...config, sourceBuckets: ['team-assets'] }).sourceBuckets).toEqual([
      'team-assets',
    ]);
    expect(() => validateStackConfig({ ...config, sourceBuckets: ['arn:aws:s3:::x'] })).toThrow(
      'sourceBuckets[0] "arn:aws:s3:::x" is not an S3 bucket name',
    );
    expect(() => validateStackConfig({ ...config, sourceBuckets: ['*'] })).toThrow('sourceBuckets[0] "*"');
    expect(() => validateStackConfig({ ...config, sourceBuckets: ['abc', 'abc'] })).toThrow(
      'sourceBuckets[1] "abc" is declared twice',
    );
  });
});
