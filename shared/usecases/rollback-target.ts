// Use-case: roll a target back to an earlier artifact of it. The restored content is signed again as the
// target's newest record (next sequence, a signed `rollback` field), so a puller accepts it like any publish.
import { rollbackPayload } from '../core/artifact/rollback.ts';
import { nextSequence } from '../core/artifact/sequence.ts';
import { signArtifact } from '../core/artifact/sign-artifact.ts';
import { SluiceError } from '../core/errors.ts';
import { encodeJob, type RenderJob, type RollbackRequest } from '../core/pipeline/jobs.ts';
import { describeTarget, type Target, toTarget } from '../core/pipeline/target.ts';
import {
  currentEntry,
  FULL_DIGEST,
  type RollbackDeps,
  verifiedCurrent,
  verifiedRestorable,
} from './rollback-checks.ts';
import { stateOf } from './state-store.ts';

/**
 * The rollback job, in the target's render group (the index entry's one writer): signs the restored
 * content with the next sequence and points the index entry at it, then nudges the cluster. The
 * generation stays the index's, so the control plane's "never publish older inputs" rule holds; what keeps
 * a later render from undoing it is heldRender.
 */
export async function rollbackTarget(
  deps: RollbackDeps,
  job: RenderJob & { rollback: RollbackRequest },
): Promise<{ outcome: 'published' | 'unchanged'; digest: string }> {
  const { cluster, rollback } = job;
  const target = toTarget(job.target);
  if (!FULL_DIGEST.test(rollback.to))
    throw new SluiceError('InvalidJob', `rollback job names no digest for ${describeTarget(target)}`);
  const state = stateOf(deps);
  const current = await currentEntry(state, cluster, target);
  if (current.digest === rollback.to) return { outcome: 'unchanged', digest: rollback.to };
  // Already carried out (a retried or repeated job): the cluster is only told again.
  if (current.rollback?.to === rollback.to && current.digest) {
    await nudge(deps, cluster, target, current.digest);
    return { outcome: 'unchanged', digest: current.digest };
  }
  const restored = await verifiedRestorable(deps, state, cluster, target, rollback.to);
  const now = await verifiedCurrent(deps, state, cluster, target, current);
  const at = new Date(deps.clock.now()).toISOString();
  const payload = rollbackPayload({
    restored,
    restoredDigest: rollback.to,
    current: now,
    currentDigest: current.digest as string,
    sequence: nextSequence(current.sequence, deps.clock.now()),
    at,
    by: rollback.by,
    ...(rollback.reason && { reason: rollback.reason }),
  });
  const signed = await signArtifact(payload, deps.keys);
  const location = await state.putArtifact(cluster, signed);
  await state.putIndexEntry(cluster, {
    target,
    generation: payload.generation,
    sequence: payload.sequence,
    revision: payload.source.revision,
    renderKey: payload.renderKey,
    publishedAt: at,
    digest: signed.digest,
    artifactKey: location,
    ...(payload.rollback && { rollback: payload.rollback }),
  });
  const fromRevision = now.kind === 'Artifact' ? now.source.revision : current.revision;
  await state.putRenderStatus(cluster, {
    target,
    ready: true,
    reason: 'ReconciliationSucceeded',
    message: `Rolled back to ${payload.source.revision} (${rollback.to}) from ${fromRevision} (${current.digest}) by ${rollback.by}${payload.rollback?.reason ? `: ${payload.rollback.reason}` : ''}; renders that give back ${payload.rollback?.held.digest} are held`,
    revision: payload.source.revision,
    digest: signed.digest,
    warnings: [],
    at,
  });
  await nudge(deps, cluster, target, signed.digest);
  deps.log.info('rolled back', {
    cluster,
    target: describeTarget(target),
    to: rollback.to,
    digest: signed.digest,
    by: rollback.by,
  });
  return { outcome: 'published', digest: signed.digest };
}

async function nudge(deps: RollbackDeps, cluster: string, target: Target, digest: string): Promise<void> {
  await deps.queue.send(deps.queues.cluster(cluster), { body: encodeJob({ kind: 'nudge', target, digest }) });
}
