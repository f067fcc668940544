// The resource ARNs the IAM policies of stacks/policies.ts are built from, for tests that evaluate those
// policies: one bucket, the pipeline's queues, and each cluster's queue, reports queue and its dead letters.
import type { PolicyArns } from '../../stacks/policies.ts';

export const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

export function testPolicyArns(clusters: string[] = ['dev']): PolicyArns {
  const per = (prefix: string, suffix = '') =>
    Object.fromEntries(clusters.map((c) => [c, queueArn(`${prefix}-${c}${suffix}`)]));
  return {
    bucket: 'arn:aws:s3:::b',
    queues: {
      fetch: queueArn('fetch'),
      render: queueArn('render'),
      fetchDlq: queueArn('fetch-dlq'),
      renderDlq: queueArn('render-dlq'),
    },
    clusterQueues: per('cluster'),
    reportQueues: per('reports'),
    reportDlqs: per('reports', '-dlq'),
    signingKey: 'arn:aws:kms:r:1:key/s',
    dataKey: 'arn:aws:kms:r:1:key/d',
    sopsKeys: [],
  };
}
