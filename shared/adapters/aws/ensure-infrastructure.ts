// Creates the queues and bucket embedded mode needs (the cloud gets them from the SST stacks): FIFO fetch
// and render queues, per cluster a nudge and a reports queue, each with a dead-letter queue. Idempotent.
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueNames } from '../../usecases/pipeline-deps.ts';

/** Receives before SQS itself dead-letters a message (a crash-only safety net; Sluice dead-letters first). */
const MAX_RECEIVES = '20';

export async function ensureInfrastructure(
  clients: { sqs: SQSClient; s3: S3Client },
  queues: QueueNames,
  clusters: string[],
  bucket: string,
): Promise<void> {
  const all = [queues.fetch, queues.render, ...clusters.map(queues.cluster), ...clusters.map(queues.reports)];
  for (const name of all) {
    const fifo = name.endsWith('.fifo');
    const dlq = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: queues.deadLetter(name),
        Attributes: fifo ? { FifoQueue: 'true' } : {},
      }),
    );
    const arn = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          ...(fifo && { FifoQueue: 'true' }),
          VisibilityTimeout: '120',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: arn.Attributes?.QueueArn,
            maxReceiveCount: MAX_RECEIVES,
          }),
        },
      }),
    );
  }
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: { name?: string }) => {
    if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
  });
}
