// Lambda: fetch jobs from the FIFO fetch queue (message group = source), with partial batch failures.
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { IsomorphicGitSource } from '../shared/adapters/git/isomorphic-git-source.ts';
import { loadCloudConfig } from '../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../shared/config/create-cloud-deps.ts';
import { fetchSource } from '../shared/usecases/fetch-source.ts';
import { coldStartDeps, type WithDeps } from './middleware/cold-start-deps.ts';
import { processSqsBatch } from './middleware/sqs-batch.ts';

export function createFetchHandler(factory: () => CloudDeps | Promise<CloudDeps>) {
  return middy<SQSEvent, SQSBatchResponse, Error, WithDeps<CloudDeps> & Context>()
    .use(coldStartDeps<CloudDeps, SQSEvent, SQSBatchResponse>(factory))
    .handler(async (event, context) => {
      const { pipeline } = context.deps;
      return processSqsBatch(
        event,
        { queue: pipeline.queue, log: pipeline.log, deadLetterQueue: pipeline.queues.deadLetter },
        (job) => {
          if (job.kind !== 'fetch') throw new Error(`fetch queue got a ${job.kind} job`);
          return fetchSource(pipeline, job);
        },
      );
    });
}

export const handler = createFetchHandler(() =>
  createCloudDeps(loadCloudConfig(), { git: (dir) => new IsomorphicGitSource({ cacheDir: dir }) }),
);
