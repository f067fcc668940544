// Lambda: status events from pullers (the events queue) become apply status. Providers (Slack, Teams,
// commit status) hang off here next; for now every event is also logged.
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadCloudConfig } from '../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../shared/config/create-cloud-deps.ts';
import { recordApplyReport } from '../shared/usecases/record-apply-report.ts';
import { coldStartDeps, type WithDeps } from './middleware/cold-start-deps.ts';
import { processSqsBatch } from './middleware/sqs-batch.ts';

export function createNotifyHandler(factory: () => CloudDeps | Promise<CloudDeps>) {
  return middy<SQSEvent, SQSBatchResponse, Error, WithDeps<CloudDeps> & Context>()
    .use(coldStartDeps<CloudDeps, SQSEvent, SQSBatchResponse>(factory))
    .handler(async (event, context) => {
      const { pipeline } = context.deps;
      return processSqsBatch(
        event,
        { queue: pipeline.queue, log: pipeline.log, deadLetterQueue: pipeline.queues.deadLetter },
        async (job) => {
          if (job.kind !== 'apply-report') throw new Error(`events queue got a ${job.kind} job`);
          pipeline.log.info('apply report', {
            cluster: job.cluster,
            kustomization: `${job.kustomization.namespace}/${job.kustomization.name}`,
            ready: job.ready,
            reason: job.reason,
          });
          await recordApplyReport(pipeline, job);
        },
      );
    });
}

export const handler = createNotifyHandler(() => createCloudDeps(loadCloudConfig()));
