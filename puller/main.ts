#!/usr/bin/env node
// The in-cluster puller: in-cluster Kubernetes credentials, S3/SQS/KMS through its pod's IAM role (EKS Pod
// Identity or IRSA), and the main loop until SIGTERM.
import { KubeConfig } from '@kubernetes/client-node';
import { createAwsClients } from '../shared/adapters/aws/clients.ts';
import { KmsKeyService } from '../shared/adapters/aws/kms-key-service.ts';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../shared/adapters/aws/sqs-queue.ts';
import { ClientNodeCluster } from '../shared/adapters/kube/client-node-cluster.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { consoleLogger } from '../shared/ports/logger.ts';
import { defaultQueueNames } from '../shared/usecases/pipeline-deps.ts';
import { loadPullerConfig } from './config.ts';
import { runPuller } from './run-puller.ts';

const config = loadPullerConfig();
const log = consoleLogger(`sluice-puller/${config.cluster}`);
const clients = createAwsClients({
  region: config.region,
  ...(config.awsEndpoint && { endpoint: config.awsEndpoint }),
});
const publicKeyPem =
  config.publicKeyPem ?? (await new KmsKeyService(clients.kms, config.signingKeyArn ?? '').publicKeyPem());
const kube = new KubeConfig();
kube.loadFromDefault(); // in a pod: the service account token
const queues = defaultQueueNames(config.queuePrefix);
const abort = new AbortController();
process.once('SIGTERM', () => abort.abort());
process.once('SIGINT', () => abort.abort());
log.info('starting', { bucket: config.bucket, queue: queues.cluster(config.cluster) });
await runPuller(
  {
    cluster: config.cluster,
    store: new S3ObjectStore(clients.s3, config.bucket),
    queue: new SqsQueue(clients.sqs),
    kube: new ClientNodeCluster(kube, { requestTimeoutMs: config.kubeTimeoutMs }),
    publicKeyPem,
    clock: systemClock,
    log,
    queues: { cluster: queues.cluster(config.cluster), reports: queues.reports(config.cluster) },
    fieldManager: 'sluice',
    inventoryNamespace: config.inventoryNamespace,
    establishTimeoutMs: 60_000,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  },
  { intervalMs: config.intervalMs, waitSeconds: 20, signal: abort.signal },
);
log.info('stopped');
