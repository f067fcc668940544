// Runs an SQS batch through processMessage-style handling with partial batch failure reporting: one bad
// message never fails its neighbours. Retryable failures are reported back to SQS (it redelivers after the
// visibility timeout); permanent ones go to the dead-letter queue with their reason. In a FIFO batch, once a
// message group has a failure its later messages are reported too, so order within the group holds.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { classifyFailure } from '../../shared/core/pipeline/classify-failure.ts';
import { decodeJob, type Job } from '../../shared/core/pipeline/jobs.ts';
import { decideRetry } from '../../shared/core/pipeline/retry-policy.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import type { Queue } from '../../shared/ports/queue.ts';
import { deadLetter } from '../../shared/usecases/process-message.ts';

export interface BatchDeps {
  queue: Queue;
  log: Logger;
  deadLetterQueue: (sourceQueue: string) => string;
}

export async function processSqsBatch(
  event: SQSEvent,
  deps: BatchDeps,
  handle: (job: Job, source: { queue: string }) => Promise<unknown>,
): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  const blockedGroups = new Set<string>();
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId;
    if (group && blockedGroups.has(group)) {
      failures.push({ itemIdentifier: record.messageId });
      continue;
    }
    const queueName = record.eventSourceARN.split(':').pop() ?? '';
    const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
    try {
      await handle(decodeJob(record.body), { queue: queueName });
    } catch (err) {
      const { retryable, code, message: reason } = classifyFailure(err);
      const decision = decideRetry(retryable, attempt);
      if (decision.action === 'retry') {
        deps.log.warn('job failed, SQS will redeliver it', { queue: queueName, attempt, code, reason });
        // Back off as in embedded mode, instead of waiting out the queue's whole visibility timeout.
        await deps.queue
          .retryLater(queueName, record.receiptHandle, decision.delaySeconds)
          .catch(() => undefined);
        failures.push({ itemIdentifier: record.messageId });
        if (group) blockedGroups.add(group);
        continue;
      }
      deps.log.error('job dead-lettered', { queue: queueName, attempt, code, reason });
      await deadLetter(deps.queue, deps.deadLetterQueue(queueName), {
        body: record.body,
        id: record.messageId,
        code,
        reason,
        sourceQueue: queueName,
        attempts: attempt,
      });
    }
  }
  return { batchItemFailures: failures };
}
