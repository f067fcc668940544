// Lambda's SQS event source mapping, played against a real SQS-compatible server: receive a batch, hand it
// to the handler as a real SQSEvent, delete what succeeded, leave reported failures for redelivery.
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

// middy handlers declare their own context type (with injected deps): accept any of them.
export type SqsHandler = (event: SQSEvent, context: never, ...rest: never[]) => Promise<SQSBatchResponse>;

export async function pollOnce(
  sqs: SQSClient,
  queueName: string,
  handler: SqsHandler,
  batchSize = 10,
): Promise<{ delivered: number; failed: string[] }> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: batchSize,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const messages = received.Messages ?? [];
  if (messages.length === 0) return { delivered: 0, failed: [] };
  const event: SQSEvent = {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp:
          m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        ...(m.Attributes?.MessageGroupId && { MessageGroupId: m.Attributes.MessageGroupId }),
        ...(m.Attributes?.MessageDeduplicationId && {
          MessageDeduplicationId: m.Attributes.MessageDeduplicationId,
        }),
        ...(m.Attributes?.SequenceNumber && { SequenceNumber: m.Attributes.SequenceNumber }),
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: Attributes?.QueueArn ?? `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
      awsRegion: 'us-east-1',
    })),
  };
  const response = await handler(event, lambdaContext(queueName) as never);
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages) {
    if (!failed.has(m.MessageId ?? ''))
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
  }
  return { delivered: messages.length, failed: [...failed] };
}

/** Polls until a receive comes back empty (or `max` rounds). */
export async function drain(
  sqs: SQSClient,
  queueName: string,
  handler: SqsHandler,
  max = 50,
): Promise<number> {
  let total = 0;
  for (let i = 0; i < max; i++) {
    const { delivered } = await pollOnce(sqs, queueName, handler);
    if (delivered === 0) return total;
    total += delivered;
  }
  return total;
}

export function lambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
