// Who may use the embedded SQS/S3 server: the control plane may do everything; each cluster's puller gets
// the very policy document its IAM role has in the cloud (stacks/policies.ts), over the embedded ARNs.

import { embeddedArns, type StorePrincipal } from '../shared/adapters/embedded/store-auth.ts';
import { LOCAL_DATA_KEY_ARN } from '../shared/adapters/local/local-data-keys.ts';
import type { QueueNames } from '../shared/usecases/pipeline-deps.ts';
import { type PolicyArns, pullerPolicy } from '../stacks/policies.ts';
import type { StoreCredentials } from './local-credentials.ts';

export function storePrincipals(
  creds: StoreCredentials,
  clusters: string[],
  queues: QueueNames,
  bucket: string,
): StorePrincipal[] {
  const queue = embeddedArns.queue;
  const perCluster = (name: (cluster: string) => string) =>
    Object.fromEntries(clusters.map((c) => [c, queue(name(c))]));
  const arns: PolicyArns = {
    bucket: embeddedArns.bucket(bucket),
    queues: {
      fetch: queue(queues.fetch),
      render: queue(queues.render),
      fetchDlq: queue(queues.deadLetter(queues.fetch)),
      renderDlq: queue(queues.deadLetter(queues.render)),
    },
    clusterQueues: perCluster(queues.cluster),
    reportQueues: perCluster(queues.reports),
    reportDlqs: perCluster((c) => queues.deadLetter(queues.reports(c))),
    // The signing key lives in the control plane's process; the data key is served as KMS Decrypt
    // (embedded-kms.ts) and its statements apply exactly as in the cloud.
    signingKey: 'arn:aws:kms:local:000000000000:key/signing',
    dataKey: LOCAL_DATA_KEY_ARN,
    sopsKeys: [],
  };
  return [
    { name: 'control-plane', ...creds.controlPlane, policy: 'all' },
    ...clusters.flatMap((cluster) => {
      const key = creds.clusters[cluster];
      return key ? [{ name: `puller:${cluster}`, ...key, policy: pullerPolicy(arns, cluster) }] : [];
    }),
  ];
}
