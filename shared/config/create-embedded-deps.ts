// Composition root of the embedded control plane (`sluice serve`): the same use-cases as the cloud, with the
// local SQS/S3-compatible server, a local signing key file, isomorphic-git and the real kustomize, confined.

import { join } from 'node:path';
import { createAwsClients } from '../adapters/aws/clients.ts';
import { S3ObjectStore } from '../adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../adapters/aws/sqs-queue.ts';
import { IsomorphicGitSource } from '../adapters/git/isomorphic-git-source.ts';
import { dataWrappingKeyFile, LocalDataKeys } from '../adapters/local/local-data-keys.ts';
import { LocalKeyService } from '../adapters/local/local-key-service.ts';
import { gzipSnapshotBundler } from '../adapters/local/snapshot-bundle.ts';
import { publicRemoteBases } from '../adapters/net/remote-base-policy.ts';
import type { SandboxPreference } from '../adapters/render/confined-process.ts';
import type { QueueNames } from '../core/pipeline/resource-names.ts';
import { systemClock } from '../ports/clock.ts';
import type { GitCredentials } from '../ports/git-source.ts';
import type { Logger } from '../ports/logger.ts';
import type { SopsKeyring } from '../ports/sops-keyring.ts';
import type { PipelineDeps, PipelineSettings } from '../usecases/pipeline-deps.ts';
import { createLocalRenderDeps } from './render-deps.ts';
import { createSopsKeyring, hasAwsCredentials } from './sops-keyring.ts';
import { createSourceAdapters } from './source-adapters.ts';
import { embeddedSourcePolicy } from './source-address-settings.ts';

export interface EmbeddedDepsSettings {
  dataDir: string;
  /** The local SQS/S3-compatible server and the control plane's own keys for it. */
  store: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string }; bucket: string };
  queues: QueueNames;
  /** The fleet repository: its origin is always reachable, its credentials travel with each fetch only. */
  fleet: { url: string; credentials?: GitCredentials };
  allowedSourceHosts?: string[];
  renderSandbox: SandboxPreference;
  pipeline: Omit<PipelineSettings, 'snapshotsDir' | 'fleetCredentials'>;
  log: Logger;
  /** The keyring SOPS files are decrypted with (createEmbeddedSopsKeyring: the embedded age key). */
  sops?: SopsKeyring;
}

export function createEmbeddedDeps(s: EmbeddedDepsSettings): PipelineDeps {
  // The fetch worker's own snapshot directory: on one machine the render reads it in place.
  const snapshotsDir = join(s.dataDir, 'git-cache', 'snapshots');
  const policy = embeddedSourcePolicy(s.fleet.url, s.allowedSourceHosts);
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: s.store.endpoint,
    credentials: s.store.credentials,
  });
  return {
    store: new S3ObjectStore(clients.s3, s.store.bucket),
    queue: new SqsQueue(clients.sqs),
    keys: new LocalKeyService(join(s.dataDir, 'keys', 'signing-key.pem')),
    dataKeys: new LocalDataKeys(dataWrappingKeyFile(s.dataDir)),
    git: new IsomorphicGitSource({
      cacheDir: join(s.dataDir, 'git-cache'),
      addressPolicy: policy,
    }),
    // No ECR logins on one machine: `provider: aws` is refused with the reason.
    sources: createSourceAdapters({ snapshotsDir, policy }),
    snapshots: gzipSnapshotBundler,
    render: createLocalRenderDeps({
      scratchDir: join(s.dataDir, 'scratch'),
      sandbox: s.renderSandbox,
      remotePolicy: publicRemoteBases(s.allowedSourceHosts ?? [], '--allow-source-host'),
      // SOPS KMS entries only with AWS credentials of the operator's own; else each says "no AWS KMS access".
      sops: s.sops ?? createSopsKeyring({ kms: hasAwsCredentials(process.env) }),
    }),
    clock: systemClock,
    log: s.log,
    queues: s.queues,
    settings: {
      ...s.pipeline,
      ...(s.fleet.credentials && { fleetCredentials: s.fleet.credentials }),
      snapshotsDir,
    },
  };
}
