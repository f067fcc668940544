// Composition root of the puller, in a cluster (puller/main.ts) or beside the embedded control plane: S3,
// SQS clients, KMS when first needed, the Kubernetes API, and the public key artifacts must verify against.
// Imports only what the puller ships with (no Git, kustomize or local servers): its image bundles this file.

import type { KubeConfig } from '@kubernetes/client-node';
import { LazyKmsDataKeys, publicKeyFromKms } from '../adapters/aws/lazy-kms.ts';
import { S3ObjectStore } from '../adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../adapters/aws/sqs-queue.ts';
import { type AwsClientOptions, createStoreClients } from '../adapters/aws/store-clients.ts';
import { ClientNodeCluster } from '../adapters/kube/client-node-cluster.ts';
import { discoverCapabilities } from '../adapters/kube/client-node-discovery.ts';
import { SluiceError } from '../core/errors.ts';
import type { QueueNames } from '../core/pipeline/resource-names.ts';
import { systemClock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { PullerDeps } from '../usecases/puller/puller-deps.ts';

export interface PullerDepsSettings {
  cluster: string;
  /** Where the store and queues are and as whom: the pod's role in the cloud, the cluster's keys locally. */
  aws: AwsClientOptions;
  bucket: string;
  queues: QueueNames;
  kube: KubeConfig;
  /** Longest one Kubernetes API request may take; the client's default when absent. */
  kubeTimeoutMs?: number;
  /** The signing key's public half; or, when absent, read once from KMS (kms:GetPublicKey). */
  publicKeyPem?: string;
  signingKeyArn?: string;
  inventoryNamespace: string;
  /** Flux's --default-service-account: targets without serviceAccountName are applied as this account. */
  defaultServiceAccount?: string;
  /** Targets reconciled at once (Flux's --concurrent). */
  concurrency?: number;
  establishTimeoutMs: number;
  log: Logger;
  /** See PullerDeps.releaseMemory. */
  releaseMemory?: () => void;
}

export async function createPullerDeps(s: PullerDepsSettings): Promise<PullerDeps> {
  const clients = createStoreClients(s.aws);
  const publicKeyPem = s.publicKeyPem ?? (await publicKeyOf(s.aws, s.signingKeyArn));
  return {
    cluster: s.cluster,
    store: new S3ObjectStore(clients.s3, s.bucket),
    queue: new SqsQueue(clients.sqs),
    kube: new ClientNodeCluster(s.kube, {
      ...(s.kubeTimeoutMs !== undefined && { requestTimeoutMs: s.kubeTimeoutMs }),
    }),
    publicKeyPem,
    // No wrapping key named: each artifact names the key that wrapped its data key. KMS is loaded only
    // when a sealed Secret arrives.
    dataKeys: new LazyKmsDataKeys(s.aws, `the puller of cluster ${s.cluster}`),
    clock: systemClock,
    log: s.log,
    queues: { cluster: s.queues.cluster(s.cluster), reports: s.queues.reports(s.cluster) },
    fieldManager: 'sluice',
    inventoryNamespace: s.inventoryNamespace,
    establishTimeoutMs: s.establishTimeoutMs,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    capabilities: () => discoverCapabilities(s.kube),
    ...(s.defaultServiceAccount && { defaultServiceAccount: s.defaultServiceAccount }),
    ...(s.concurrency !== undefined && { concurrency: s.concurrency }),
    ...(s.releaseMemory && { releaseMemory: s.releaseMemory }),
  };
}

function publicKeyOf(aws: AwsClientOptions, signingKeyArn: string | undefined): Promise<string> {
  if (!signingKeyArn)
    throw new SluiceError('ConfigInvalid', 'the puller needs a public key or the signing key ARN');
  return publicKeyFromKms(aws, signingKeyArn);
}
