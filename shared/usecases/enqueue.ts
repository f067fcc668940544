// The one way every stage queues work. Fetch jobs: message group = the source, deduplication id = a
// digest of source, reason and the caller's occasion. Render jobs: message group = cluster/kind/ns/name.
import { createHash } from 'node:crypto';
import { encodeJob, type FetchJob, type RenderJob } from '../core/pipeline/jobs.ts';
import { type Target, targetKey } from '../core/pipeline/target.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

type QueueDeps = Pick<PipelineDeps, 'queue' | 'queues'>;

/**
 * Queues a fetch of the source. `occasion` says which request this is: the same source, reason and occasion
 * within the queue's deduplication window is one fetch (a webhook's delivery id, a schedule's interval
 * window, a time bucket); a caller that wants every call to count passes something unique, like the time.
 */
export async function enqueueFetch(
  deps: QueueDeps,
  sourceKey: string,
  reason: FetchJob['reason'],
  occasion: string | number,
): Promise<void> {
  const job: FetchJob = { kind: 'fetch', sourceKey, reason };
  await deps.queue.send(deps.queues.fetch, {
    body: encodeJob(job),
    groupId: sourceKey,
    // Hashed: an occasion is any string (a delivery id), a deduplication id at most 128 plain characters.
    deduplicationId: digest(`${sourceKey}\n${reason}\n${occasion}`),
  });
}

/**
 * Queues a render of the target. Every request counts (a render reads the latest state, so a duplicate
 * only costs an unchanged render); the message group keeps one render of a target in flight at a time,
 * which makes its render job the only writer of its index entry. With `occasion` (the scheduler's retry
 * window), the same target and occasion within the queue's deduplication window is one render.
 */
export async function enqueueRender(
  deps: QueueDeps & Pick<PipelineDeps, 'clock'>,
  cluster: string,
  target: Target,
  occasion?: string,
): Promise<void> {
  const job: RenderJob = {
    kind: 'render',
    cluster,
    target: { kind: target.kind, namespace: target.namespace, name: target.name },
  };
  const group = renderGroup(cluster, target);
  await deps.queue.send(deps.queues.render, {
    body: encodeJob(job),
    groupId: group,
    deduplicationId: digest(
      occasion === undefined ? `${group}/${deps.clock.now()}/${Math.random()}` : `${group}\n${occasion}`,
    ),
  });
}

/** `cluster/Kind/namespace/name`: one writer per target. */
export function renderGroup(cluster: string, target: Target): string {
  return `${cluster}/${targetKey(target)}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
