// A queue consumer for embedded mode: long-poll, hand each message to processMessage (ack, retry with
// backoff, or dead-letter), until stopped. The Lambda functions do the same per SQS batch.
import type { Job } from '../shared/core/pipeline/jobs.ts';
import type { Logger } from '../shared/ports/logger.ts';
import type { Queue } from '../shared/ports/queue.ts';
import { processMessage } from '../shared/usecases/process-message.ts';

export interface WorkerLoopOptions {
  queue: Queue;
  queueName: string;
  deadLetterQueue: string;
  handle: (job: Job) => Promise<unknown>;
  /** The one kind of job this queue carries (a misrouted one is dead-lettered as InvalidJob). */
  kind?: Job['kind'];
  log: Logger;
  signal: AbortSignal;
  waitSeconds?: number;
  visibilitySeconds?: number;
  /** Messages in flight at once (FIFO groups still serialise per group). */
  batch?: number;
  /**
   * Longest a job is kept invisible by the heartbeat (default 15 minutes, Lambda's limit). Past it the
   * message becomes visible again and counts as another attempt, so a stuck job ends in the dead-letter
   * queue instead of holding its FIFO group forever.
   */
  jobTimeoutSeconds?: number;
}

export async function runWorkerLoop(opts: WorkerLoopOptions): Promise<void> {
  while (!opts.signal.aborted) {
    try {
      const messages = await opts.queue.receive(opts.queueName, {
        maxMessages: opts.batch ?? 2,
        waitSeconds: opts.waitSeconds ?? 1,
        visibilitySeconds: opts.visibilitySeconds ?? 120,
      });
      if (opts.signal.aborted) {
        // Received while stopping: hand the messages straight back instead of leaving them invisible for
        // the whole visibility timeout (which would also hold up their FIFO group).
        await Promise.all(messages.map((m) => opts.queue.retryLater(opts.queueName, m.receiptHandle, 1)));
        break;
      }
      // One writer per message group: a group's messages run in order, different groups in parallel.
      const groups = new Map<string, typeof messages>();
      for (const m of messages) groups.set(m.groupId ?? m.id, [...(groups.get(m.groupId ?? m.id) ?? []), m]);
      await Promise.all(
        [...groups.values()].map(async (group) => {
          for (const m of group) {
            // Heartbeat: keep a long job (a root render registering thousands of children) invisible so
            // it is not delivered a second time while it still runs.
            const visibility = opts.visibilitySeconds ?? 120;
            const deadline = Date.now() + (opts.jobTimeoutSeconds ?? 900) * 1000;
            const heartbeat = setInterval(
              () => {
                const left = Math.floor((deadline - Date.now()) / 1000);
                if (left <= 0) return clearInterval(heartbeat);
                const extend = Math.min(visibility, left);
                opts.queue.retryLater(opts.queueName, m.receiptHandle, extend).catch(() => undefined);
              },
              (visibility * 1000) / 2,
            );
            try {
              await processMessage(
                {
                  queue: opts.queue,
                  log: opts.log,
                  deadLetterQueue: opts.deadLetterQueue,
                  ...(opts.kind && { kind: opts.kind }),
                },
                opts.queueName,
                m,
                opts.handle,
              );
            } finally {
              clearInterval(heartbeat);
            }
          }
        }),
      );
    } catch (err) {
      if (opts.signal.aborted) break;
      opts.log.error('worker loop error', { queue: opts.queueName, error: (err as Error).message });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
