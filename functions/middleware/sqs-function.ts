// Builds an SQS-triggered function: dependencies once per cold start, the batch through processSqsBatch,
// each job checked to be of the kind this queue carries before its use-case runs.
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CloudDeps } from '../../shared/config/create-cloud-deps.ts';
import { jobOfKind } from '../../shared/core/pipeline/job-of-kind.ts';
import type { Job } from '../../shared/core/pipeline/jobs.ts';
import { coldStartDeps, type WithDeps } from './cold-start-deps.ts';
import { processSqsBatch } from './sqs-batch.ts';

export function sqsFunction<K extends Job['kind']>(
  factory: () => CloudDeps | Promise<CloudDeps>,
  kind: K,
  /** `source.queue`: the queue the message arrived on (for reports, it names the cluster). */
  handle: (deps: CloudDeps, job: Extract<Job, { kind: K }>, source: { queue: string }) => Promise<unknown>,
) {
  return middy<SQSEvent, SQSBatchResponse, Error, WithDeps<CloudDeps> & Context>()
    .use(coldStartDeps<CloudDeps, SQSEvent, SQSBatchResponse>(factory))
    .handler(async (event, context) => {
      const deps = context.deps;
      const { queue, log, queues } = deps.pipeline;
      return processSqsBatch(event, { queue, log, deadLetterQueue: queues.deadLetter }, (job, source) =>
        // A misrouted job never becomes right on a retry: InvalidJob, dead-lettered at once.
        handle(deps, jobOfKind(job, kind), source),
      );
    });
}
