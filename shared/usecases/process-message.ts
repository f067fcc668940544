// Runs one queued job through its handler with at-least-once semantics: success acks; a retryable failure
// comes back after an exponential backoff; a permanent failure, or one out of attempts, goes to the
// dead-letter queue with its reason recorded, then leaves the source queue. Nothing is dropped.
import { classifyFailure } from '../core/pipeline/classify-failure.ts';
import { jobOfKind } from '../core/pipeline/job-of-kind.ts';
import { decodeJob, type Job } from '../core/pipeline/jobs.ts';
import { DEFAULT_RETRY, decideRetry, type RetryPolicy } from '../core/pipeline/retry-policy.ts';
import type { Logger } from '../ports/logger.ts';
import type { Queue, ReceivedMessage } from '../ports/queue.ts';

export interface ProcessDeps {
  queue: Queue;
  log: Logger;
  deadLetterQueue: string;
  retry?: RetryPolicy;
  /** The one kind of job this queue carries; another kind is an InvalidJob, dead-lettered at once. */
  kind?: Job['kind'];
}

export type Outcome = 'done' | 'retry' | 'dead-letter';

export async function processMessage(
  deps: ProcessDeps,
  queueName: string,
  message: ReceivedMessage,
  handle: (job: Job) => Promise<unknown>,
): Promise<Outcome> {
  let failure: unknown;
  try {
    const job = decodeJob(message.body);
    await handle(deps.kind === undefined ? job : jobOfKind(job, deps.kind));
  } catch (err) {
    failure = err;
  }
  if (failure === undefined) {
    // Outside the try: a failed ack must not turn a job that succeeded into a retry or a dead letter.
    await deps.queue.ack(queueName, message.receiptHandle);
    return 'done';
  }
  // The same verdict as the Lambda batch handler's: one classifier for both.
  const { retryable, code, message: reason } = classifyFailure(failure);
  const decision = decideRetry(retryable, message.receiveCount, deps.retry ?? DEFAULT_RETRY);
  if (decision.action === 'retry') {
    deps.log.warn('job failed, will retry', {
      queue: queueName,
      attempt: message.receiveCount,
      code,
      reason,
    });
    await deps.queue.retryLater(queueName, message.receiptHandle, decision.delaySeconds);
    return 'retry';
  }
  deps.log.error('job dead-lettered', { queue: queueName, attempt: message.receiveCount, code, reason });
  await deadLetter(deps.queue, deps.deadLetterQueue, {
    body: message.body,
    id: message.id,
    code,
    reason,
    sourceQueue: queueName,
    attempts: message.receiveCount,
  });
  await deps.queue.ack(queueName, message.receiptHandle);
  return 'dead-letter';
}

/** Moves a job to its dead-letter queue with why it failed (`code`, `reason`), for an operator to read. */
export async function deadLetter(
  queue: Queue,
  deadLetterQueue: string,
  failed: { body: string; id: string; code: string; reason: string; sourceQueue: string; attempts: number },
): Promise<void> {
  await queue.send(deadLetterQueue, {
    body: failed.body,
    attributes: {
      code: failed.code,
      reason: failed.reason.slice(0, 1000),
      sourceQueue: failed.sourceQueue,
      attempts: String(failed.attempts),
    },
    ...(deadLetterQueue.endsWith('.fifo') && { groupId: 'dead-letters', deduplicationId: failed.id }),
  });
}
