// Use-case: ask for a rollback. Checked at once where the caller may read the store (the API), or only
// by its form (the webhook); either way queued in the target's render group, where its job runs.
import { createHash } from 'node:crypto';
import { HttpError } from '../core/http-error.ts';
import { encodeJob, type RenderJob } from '../core/pipeline/jobs.ts';
import { describeTarget, type Target, toTarget } from '../core/pipeline/target.ts';
import { renderGroup } from './enqueue.ts';
import { listRestorable, MAX_ARTIFACTS_SCANNED, type RestorableArtifact } from './list-restorable.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import {
  currentEntry,
  FULL_DIGEST,
  knownCluster,
  notStored,
  type RollbackDeps,
  verifiedRestorable,
} from './rollback-checks.ts';
import { stateOf } from './state-store.ts';

export interface RollbackAsk {
  cluster: string;
  target: Target;
  /** A digest, or its start (`sha256:` and at least 12 hex digits) as `sluice status` shows it. */
  to: string;
  /** `api` or `webhook`: which credential the request came with. */
  by: string;
  reason?: string;
  /** Names the request for the queue's deduplication (a webhook delivery); default: this moment. */
  occasion?: string;
}

/** What the caller hears: the rollback is queued in the target's render group. */
export interface RollbackQueued {
  cluster: string;
  target: Target;
  to: string;
  /** The source revision the restored artifact was rendered from (absent when queued unchecked). */
  revision?: string;
  from?: string;
}

const DIGEST_START = /^sha256:[0-9a-f]{12,64}$/;

/**
 * Checks a rollback now, so the caller hears at once why it cannot be done (no such target, no such
 * artifact, one of another target), then queues it; the job checks again (rollbackTarget).
 */
export async function requestRollback(deps: RollbackDeps, ask: RollbackAsk): Promise<RollbackQueued> {
  const { cluster } = ask;
  const target = toTarget(ask.target);
  knownCluster(deps, cluster);
  const state = stateOf(deps);
  const current = await currentEntry(state, cluster, target);
  const to = await resolveDigest(deps, cluster, target, ask.to);
  const restored = await verifiedRestorable(deps, state, cluster, target, to);
  if (current.digest === to)
    throw new HttpError(
      409,
      'UsageError',
      `${to} is already the current artifact of ${describeTarget(target)}`,
    );
  if (current.rollback?.to === to)
    throw new HttpError(
      409,
      'UsageError',
      `${describeTarget(target)} is already rolled back to ${to} (as ${current.digest})`,
    );
  await queueRollback(deps, { ...ask, target, to });
  return { cluster, target, to, revision: restored.source.revision, from: current.digest ?? '' };
}

/**
 * Queues a rollback unchecked but for its form (a declared cluster, a full digest): the job checks the
 * rest. The webhook (the cloud's internet-facing function) reads nothing in the store and signs nothing,
 * so it may only send the job; a refused rollback is dead-lettered with its reason.
 */
export async function queueRollback(
  deps: Pick<PipelineDeps, 'queue' | 'queues' | 'clock' | 'settings'>,
  ask: RollbackAsk,
): Promise<RollbackQueued> {
  const { cluster, to } = ask;
  const target = toTarget(ask.target);
  knownCluster(deps, cluster);
  if (!FULL_DIGEST.test(to))
    throw new HttpError(
      400,
      'UsageError',
      `a rollback here wants the full artifact digest (sha256: and 64 hex digits), got ${JSON.stringify(to.slice(0, 80))}`,
    );
  const job: RenderJob = {
    kind: 'render',
    cluster,
    target,
    rollback: { to, by: ask.by, ...(ask.reason && { reason: ask.reason }) },
  };
  const group = renderGroup(cluster, target);
  await deps.queue.send(deps.queues.render, {
    body: encodeJob(job),
    groupId: group,
    deduplicationId: createHash('sha256')
      .update(`${group}/rollback/${to}/${ask.occasion ?? deps.clock.now()}`)
      .digest('hex'),
  });
  return { cluster, target, to };
}

/** A full digest, or the one stored artifact of this cluster whose digest starts with `given`. */
async function resolveDigest(
  deps: RollbackDeps,
  cluster: string,
  target: Target,
  given: string,
): Promise<string> {
  if (FULL_DIGEST.test(given)) return given;
  if (!DIGEST_START.test(given))
    throw new HttpError(
      400,
      'UsageError',
      `--to wants an artifact digest (sha256: and at least 12 hex digits), got ${JSON.stringify(given.slice(0, 80))}`,
    );
  const matches = (await listRestorable(deps, cluster, target, MAX_ARTIFACTS_SCANNED)).filter((a) =>
    a.digest.startsWith(given),
  );
  if (matches.length === 1) return (matches[0] as RestorableArtifact).digest;
  if (matches.length === 0) notStored(cluster, target, given);
  throw new HttpError(
    409,
    'UsageError',
    `${given} is the start of ${matches.length} artifacts of ${describeTarget(target)}; give more digits`,
  );
}
