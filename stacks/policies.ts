// IAM policy documents as plain data, one per function and per cluster puller: least privilege written
// down where it can be read and tested (which actions, on which ARNs and key prefixes).
import { storePrefixes } from '../shared/core/pipeline/resource-names.ts';

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

export interface PolicyArns {
  bucket: string;
  queues: {
    fetch: string;
    render: string;
    fetchDlq: string;
    renderDlq: string;
  };
  clusterQueues: Record<string, string>;
  /** Per cluster: the reports channel only that cluster's puller may send to, and its dead-letter queue. */
  reportQueues: Record<string, string>;
  reportDlqs: Record<string, string>;
  signingKey: string;
  dataKey: string;
  sopsKeys: string[];
  /** ECR repository ARNs (sluice.config.ts `ecrRepositories`) the fetch function pulls from. */
  ecrRepositories?: string[];
  /** S3 buckets (names, sluice.config.ts `sourceBuckets`) that `provider: aws` Bucket sources read. */
  sourceBuckets?: string[];
  /** The tool sandbox function the render function invokes (set by the functions stack). */
  renderSandbox?: string;
}

const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allow = (Action: string[], Resource: string[], Condition?: Statement['Condition']): Statement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition && { Condition }),
});
/** Every key under a store prefix (resource-names.ts), as an IAM resource pattern. */
const all = (prefix: string) => `${prefix}*`;
const objects = (a: PolicyArns, ...prefixes: string[]) => prefixes.map((p) => `${a.bucket}/${p}`);
/**
 * Functions may list the whole bucket: without s3:ListBucket on the bucket (no prefix condition, which a
 * GetObject request does not carry), S3 answers a missing key with 403 instead of 404, and "not there yet"
 * is a normal state for the control plane. Pullers, confined to their cluster, keep a prefix condition.
 */
const listBucket = (a: PolicyArns) => allow(['s3:ListBucket'], [a.bucket]);
const list = (a: PolicyArns, ...prefixes: string[]) =>
  allow(['s3:ListBucket'], [a.bucket], { StringLike: { 's3:prefix': prefixes } });
const consume = (queue: string) =>
  allow(
    [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
    ],
    [queue],
  );
const send = (...queues: string[]) => allow(['sqs:SendMessage', 'sqs:GetQueueUrl'], queues);
/**
 * Pulls for OCI sources with `provider: aws`, on the configured repositories only. The login
 * (ecr:GetAuthorizationToken) has no resource type in IAM, so AWS grants it only on "*"; the token carries
 * this role's own permissions, so what it can pull is still just these repositories. The one "*" resource
 * in any Sluice policy, and only present when repositories are configured.
 */
const ecrPull = (repositories: string[]): Statement[] =>
  repositories.length === 0
    ? []
    : [
        allow(
          ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:ListImages', 'ecr:DescribeImages'],
          repositories,
        ),
        allow(['ecr:GetAuthorizationToken'], ['*']),
      ];
/** `provider: aws` Bucket sources: list and read exactly the configured buckets, nothing else of S3. */
const bucketRead = (names: string[]): Statement[] =>
  names.length === 0
    ? []
    : [
        allow(
          ['s3:ListBucket'],
          names.map((n) => `arn:aws:s3:::${n}`),
        ),
        allow(
          ['s3:GetObject'],
          names.map((n) => `arn:aws:s3:::${n}/*`),
        ),
      ];
const kmsForBucket = (a: PolicyArns) => allow(['kms:Decrypt', 'kms:GenerateDataKey'], [a.dataKey]);

export function functionPolicies(
  a: PolicyArns,
): Record<'webhook' | 'schedule' | 'fetch' | 'render' | 'notify', PolicyDocument> {
  const clusterQueues = Object.values(a.clusterQueues);
  return {
    webhook: doc(
      listBucket(a),
      allow(['s3:GetObject'], objects(a, all(storePrefixes.fetch))),
      kmsForBucket(a),
      // The render queue for `sluice rollback` bodies: sent unchecked, the render function checks them.
      send(a.queues.fetch, a.queues.render),
    ),
    schedule: doc(
      listBucket(a),
      allow(
        ['s3:GetObject', 's3:PutObject'],
        objects(
          a,
          all(storePrefixes.fetch),
          all(storePrefixes.kustomizations('*')),
          all(storePrefixes.sources('*')),
        ),
      ),
      // A renamed cluster root is withdrawn, and a root moved to another branch stops following the old one.
      allow(
        ['s3:DeleteObject'],
        objects(a, all(storePrefixes.kustomizations('*')), `${storePrefixes.fetch}*/users/*`),
      ),
      // Read only: failed renders and their HelmReleases' intervals, to queue their retries (retry-failed-renders.ts).
      allow(
        ['s3:GetObject'],
        objects(a, all(storePrefixes.renderStatus('*')), all(storePrefixes.helmReleases('*'))),
      ),
      kmsForBucket(a),
      send(a.queues.fetch, a.queues.render),
    ),
    fetch: doc(
      listBucket(a),
      allow(
        ['s3:GetObject', 's3:PutObject'],
        objects(a, all(storePrefixes.fetch), all(storePrefixes.snapshots)),
      ),
      // Secrets for credentials; a cluster's sources by name for a HelmChart's source and its dependencies.
      allow(
        ['s3:GetObject'],
        objects(a, all(storePrefixes.configs('*', 'Secret')), all(storePrefixes.sources('*'))),
      ),
      kmsForBucket(a),
      consume(a.queues.fetch),
      // The fetch queue too: a source's new revision fetches the HelmCharts built from it.
      send(a.queues.render, a.queues.fetch, a.queues.fetchDlq),
      ...ecrPull(a.ecrRepositories ?? []),
      ...bucketRead(a.sourceBuckets ?? []),
    ),
    render: doc(
      listBucket(a),
      allow(
        ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        objects(a, all(storePrefixes.fetch), all(storePrefixes.clusters)),
      ),
      allow(['s3:GetObject', 's3:PutObject'], objects(a, all(storePrefixes.artifacts))),
      allow(['s3:GetObject'], objects(a, all(storePrefixes.snapshots))),
      kmsForBucket(a),
      allow(['kms:Sign', 'kms:GetPublicKey'], [a.signingKey]),
      ...(a.sopsKeys.length > 0 ? [allow(['kms:Decrypt'], a.sopsKeys)] : []),
      consume(a.queues.render),
      send(a.queues.render, a.queues.fetch, a.queues.renderDlq, ...clusterQueues),
      // The sandbox gets one pre-signed GET and PUT under sandbox/ per build, signed with this role.
      allow(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], objects(a, all(storePrefixes.sandbox))),
      ...(a.renderSandbox ? [allow(['lambda:InvokeFunction'], [a.renderSandbox])] : []),
    ),
    notify: doc(
      listBucket(a),
      allow(
        ['s3:GetObject', 's3:PutObject'],
        objects(a, all(storePrefixes.applyStatus('*')), storePrefixes.capabilities('*')),
      ),
      // A cluster's HelmReleases by name: their renders are queued again when its capabilities change.
      allow(['s3:GetObject'], objects(a, all(storePrefixes.helmReleases('*')))),
      kmsForBucket(a),
      ...Object.values(a.reportQueues).map(consume),
      send(a.queues.render, ...Object.values(a.reportDlqs)),
    ),
  };
}

/**
 * A puller reads only its own cluster's index and artifacts, reads its own queue, and reports on its own
 * reports queue only: the control plane takes a report's cluster from that queue, so no cluster speaks
 * for another.
 */
export function pullerPolicy(a: PolicyArns, cluster: string): PolicyDocument {
  const queue = a.clusterQueues[cluster];
  const reports = a.reportQueues[cluster];
  if (!queue || !reports) throw new Error(`no queues for cluster ${cluster}`);
  return doc(
    list(a, all(storePrefixes.index(cluster))),
    allow(
      ['s3:GetObject'],
      objects(a, all(storePrefixes.index(cluster)), all(storePrefixes.clusterArtifacts(cluster))),
    ),
    allow(['kms:Decrypt'], [a.dataKey], { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } }),
    // Data keys wrapped for this cluster (EncryptionContext {cluster: <name>}) and no other cluster's.
    allow(['kms:Decrypt'], [a.dataKey], { StringEquals: { 'kms:EncryptionContext:cluster': cluster } }),
    allow(['kms:GetPublicKey'], [a.signingKey]),
    consume(queue),
    send(reports),
  );
}
