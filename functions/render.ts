// Lambda: render jobs from the FIFO render queue (message group = cluster/Kustomization), with partial
// batch failures. kubectl comes from the kubectl/helm layer at /opt.
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { KmsKeyService } from '../shared/adapters/aws/kms-key-service.ts';
import { loadCloudConfig } from '../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../shared/config/create-cloud-deps.ts';
import { createLocalRenderDeps } from '../shared/config/render-deps.ts';
import { renderJob } from '../shared/usecases/render-job.ts';
import { coldStartDeps, type WithDeps } from './middleware/cold-start-deps.ts';
import { processSqsBatch } from './middleware/sqs-batch.ts';

export function createRenderHandler(factory: () => CloudDeps | Promise<CloudDeps>) {
  return middy<SQSEvent, SQSBatchResponse, Error, WithDeps<CloudDeps> & Context>()
    .use(coldStartDeps<CloudDeps, SQSEvent, SQSBatchResponse>(factory))
    .handler(async (event, context) => {
      const { pipeline, fleetSourceKey } = context.deps;
      return processSqsBatch(
        event,
        { queue: pipeline.queue, log: pipeline.log, deadLetterQueue: pipeline.queues.deadLetter },
        (job) => {
          if (job.kind !== 'render') throw new Error(`render queue got a ${job.kind} job`);
          return renderJob(pipeline, job, fleetSourceKey);
        },
      );
    });
}

export const handler = createRenderHandler(() =>
  createCloudDeps(loadCloudConfig(), {
    keys: (kms, arn) => new KmsKeyService(kms, arn),
    render: (scratchDir) => createLocalRenderDeps({ scratchDir }),
  }),
);
