// Composition root of the Lambda functions: the same use-cases as embedded mode, with SQS, S3 and KMS.
// Clients are created here, once per cold start, never at module scope.
import { join } from 'node:path';
import { createAwsClients } from '../adapters/aws/clients.ts';
import { KmsKeyService } from '../adapters/aws/kms-key-service.ts';
import { S3ObjectStore } from '../adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../adapters/aws/sqs-queue.ts';
import { IsomorphicGitSource } from '../adapters/git/isomorphic-git-source.ts';
import { systemClock } from '../ports/clock.ts';
import { consoleLogger } from '../ports/logger.ts';
import { defaultQueueNames, type PipelineDeps } from '../usecases/pipeline-deps.ts';
import { fleetSourceKey } from '../usecases/register-fleet.ts';
import type { CloudConfig } from './cloud-config.ts';
import { createLocalRenderDeps } from './render-deps.ts';

export interface CloudDeps {
  config: CloudConfig;
  pipeline: PipelineDeps;
  fleetSourceKey: string;
}

export function createCloudDeps(config: CloudConfig): CloudDeps {
  const clients = createAwsClients({
    region: config.region,
    ...(config.endpoints && {
      endpoints: config.endpoints,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });
  const pipeline: PipelineDeps = {
    store: new S3ObjectStore(clients.s3, config.bucket),
    queue: new SqsQueue(clients.sqs),
    keys: new KmsKeyService(clients.kms, config.signingKeyArn),
    git: new IsomorphicGitSource({ cacheDir: join(config.workDir, 'git') }),
    // The render function only: kubectl comes from the layer at /opt/kubectl (resolved lazily).
    get render() {
      return lazyRender(config.workDir);
    },
    clock: systemClock,
    log: consoleLogger('sluice-fn'),
    queues: defaultQueueNames(config.queuePrefix),
    settings: {
      clusters: config.clusters,
      strictSubstitution: config.strictSubstitution,
      allowRemoteBases: config.allowRemoteBases,
      snapshotsDir: join(config.workDir, 'git', 'snapshots'),
    },
  };
  return { config, pipeline, fleetSourceKey: fleetSourceKey(config.fleet) };
}

let render: PipelineDeps['render'] | undefined;
function lazyRender(workDir: string): PipelineDeps['render'] {
  render ??= createLocalRenderDeps({ scratchDir: join(workDir, 'scratch') });
  return render;
}
