// The embedded store's IAM evaluator against the cloud's own puller policy document.
import { describe, expect, it } from 'vitest';
import { isAllowed } from '../../../../shared/core/aws/evaluate-policy.ts';
import { pullerPolicy } from '../../../../stacks/policies.ts';
import { queueArn as q, testPolicyArns } from '../../../support/policy-arns.ts';

const policy = pullerPolicy(testPolicyArns(['dev', 'prod']), 'dev');

describe('isAllowed with the dev puller policy', () => {
  it.each([
    ['s3:GetObject', 'arn:aws:s3:::b/artifacts/dev/x.json', undefined, true],
    ['s3:GetObject', 'arn:aws:s3:::b/clusters/dev/index/ns/x.json', undefined, true],
    ['S3:getobject', 'arn:aws:s3:::b/artifacts/dev/x.json', undefined, true],
    ['s3:GetObject', 'arn:aws:s3:::b/artifacts/prod/x.json', undefined, false],
    ['s3:GetObject', 'arn:aws:s3:::b/artifacts/dev', undefined, false],
    ['s3:GetObject', 'arn:aws:s3:::other/artifacts/dev/x.json', undefined, false],
    ['s3:GetObject', 'arn:aws:s3:::b/clusters/dev/configs/Secret/x.json', undefined, false],
    ['s3:PutObject', 'arn:aws:s3:::b/artifacts/dev/x.json', undefined, false],
    ['s3:ListBucket', 'arn:aws:s3:::b', { 's3:prefix': 'clusters/dev/index/' }, true],
    ['s3:ListBucket', 'arn:aws:s3:::b', { 's3:prefix': 'clusters/prod/index/' }, false],
    ['s3:ListBucket', 'arn:aws:s3:::b', { 's3:prefix': '' }, false],
    ['s3:ListBucket', 'arn:aws:s3:::b', undefined, false],
    ['sqs:ReceiveMessage', q('cluster-dev'), undefined, true],
    ['sqs:ReceiveMessage', q('cluster-prod'), undefined, false],
    ['sqs:SendMessage', q('reports-dev'), undefined, true],
    ['sqs:SendMessage', q('reports-prod'), undefined, false],
    ['sqs:SendMessage', q('cluster-dev'), undefined, false],
    ['sqs:PurgeQueue', q('cluster-dev'), undefined, false],
  ])('%s on %s (%o) → %s', (action, resource, context, allowed) => {
    expect(isAllowed(policy, { action, resource, ...(context && { context }) })).toBe(allowed);
  });

  it('lets an explicit deny win over an allow', () => {
    const denied = {
      Statement: [
        ...policy.Statement,
        { Effect: 'Deny' as const, Action: ['s3:*'], Resource: ['arn:aws:s3:::b/artifacts/dev/secret*'] },
      ],
    };
    expect(
      isAllowed(denied, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/artifacts/dev/secret.json' }),
    ).toBe(false);
  });
});
