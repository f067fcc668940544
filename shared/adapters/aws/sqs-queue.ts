// Queue over Amazon SQS (AWS SDK v3). Used in the cloud and, against the in-process SQS-compatible
// server, in embedded mode. Queue names resolve to URLs once and are cached.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SluiceError } from '../../core/errors.ts';
import type { OutgoingMessage, Queue, ReceivedMessage, ReceiveOptions } from '../../ports/queue.ts';

export class SqsQueue implements Queue {
  private readonly client: SQSClient;
  private readonly urls = new Map<string, Promise<string>>();

  constructor(client: SQSClient) {
    this.client = client;
  }

  private url(queue: string): Promise<string> {
    let url = this.urls.get(queue);
    if (!url) {
      url = this.client.send(new GetQueueUrlCommand({ QueueName: queue })).then((r) => {
        if (!r.QueueUrl) throw new Error(`no URL for ${queue}`);
        return r.QueueUrl;
      });
      url.catch(() => this.urls.delete(queue));
      this.urls.set(queue, url);
    }
    return url;
  }

  async send(queue: string, message: OutgoingMessage): Promise<void> {
    await this.call(queue, 'send to', async (QueueUrl) => {
      await this.client.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: message.body,
          ...(message.groupId && { MessageGroupId: message.groupId }),
          ...(message.deduplicationId && { MessageDeduplicationId: message.deduplicationId }),
          ...(message.delaySeconds !== undefined && {
            DelaySeconds: Math.min(900, Math.round(message.delaySeconds)),
          }),
          ...(message.attributes && {
            MessageAttributes: Object.fromEntries(
              Object.entries(message.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
            ),
          }),
        }),
      );
    });
  }

  async receive(queue: string, opts: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    return this.call(queue, 'receive from', async (QueueUrl) => {
      const result = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: opts.maxMessages ?? 1,
          WaitTimeSeconds: opts.waitSeconds ?? 0,
          ...(opts.visibilitySeconds !== undefined && { VisibilityTimeout: opts.visibilitySeconds }),
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SentTimestamp'],
          MessageAttributeNames: ['All'],
        }),
      );
      return (result.Messages ?? []).map((m) => ({
        id: m.MessageId ?? '',
        body: m.Body ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
        ...(m.Attributes?.MessageGroupId && { groupId: m.Attributes.MessageGroupId }),
        ...(m.Attributes?.SentTimestamp && { sentAt: Number(m.Attributes.SentTimestamp) }),
        attributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
        ),
      }));
    });
  }

  async ack(queue: string, receiptHandle: string): Promise<void> {
    await this.call(queue, 'delete from', (QueueUrl) =>
      this.client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: receiptHandle })),
    );
  }

  async retryLater(queue: string, receiptHandle: string, delaySeconds: number): Promise<void> {
    await this.call(queue, 'reschedule on', (QueueUrl) =>
      this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: receiptHandle,
          // At least 1 s: a zero timeout gains nothing over 1 s and trips the embedded server's persistence.
          VisibilityTimeout: Math.max(1, Math.min(43_200, Math.round(delaySeconds))),
        }),
      ),
    );
  }

  private async call<T>(queue: string, verb: string, fn: (url: string) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.url(queue));
    } catch (err) {
      throw new SluiceError(
        'QueueUnavailable',
        `could not ${verb} queue ${queue}: ${(err as Error).message}`,
        {
          retryable: true,
          cause: err,
        },
      );
    }
  }
}
