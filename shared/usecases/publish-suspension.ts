// Use-case: a target whose spec says `suspend: true`. Its published record is signed again with
// `apply.suspend` and the next sequence, so the puller (which trusts only signed records) stops applying,
// pruning and correcting drift and reports Suspended, as Flux stops reconciling a suspended Kustomization.
// The content stays the one last published; the next render after `suspend` is lifted publishes anew.
import type { ArtifactPayload } from '../core/artifact/artifact.ts';
import { checkBinding } from '../core/artifact/binding.ts';
import { nextSequence } from '../core/artifact/sequence.ts';
import { signArtifact, verifySigned } from '../core/artifact/sign-artifact.ts';
import { SluiceError } from '../core/errors.ts';
import { encodeJob } from '../core/pipeline/jobs.ts';
import type { IndexEntry } from '../core/pipeline/records.ts';
import { describeTarget, type Target } from '../core/pipeline/target.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { stateOf } from './state-store.ts';

type Deps = Pick<PipelineDeps, 'store' | 'queue' | 'queues' | 'keys' | 'clock' | 'log'> &
  Partial<Pick<PipelineDeps, 'dataKeys'>>;

/**
 * `unchanged` when there is nothing to suspend (never published, removed) or the index already points at
 * a signed suspension. Only a record the control plane signed is signed again (a tampered store is refused).
 */
export async function publishSuspension(
  deps: Deps,
  cluster: string,
  target: Target,
  current: IndexEntry | undefined,
): Promise<{ outcome: 'published' | 'unchanged'; digest?: string }> {
  if (!current?.digest || !current.artifactKey || current.deleted) return { outcome: 'unchanged' };
  const state = stateOf(deps);
  const signed = await state.getArtifactAt(current.artifactKey);
  if (!signed)
    throw new SluiceError(
      'ArtifactRejected',
      `${describeTarget(target)}: ${current.digest} is missing from the store`,
    );
  const payload = verifySigned(signed, await deps.keys.publicKeyPem(), current.digest);
  checkBinding(payload, { cluster, target, keyFingerprint: '', digest: current.digest }, undefined);
  if (payload.kind !== 'Artifact' || payload.apply.suspend) return { outcome: 'unchanged' };
  const suspended: ArtifactPayload = {
    ...payload,
    sequence: nextSequence(current.sequence, deps.clock.now()),
    apply: { ...payload.apply, suspend: true },
  };
  const resigned = await signArtifact(suspended, deps.keys);
  const location = await state.putArtifact(cluster, resigned);
  await state.putIndexEntry(cluster, {
    ...current,
    sequence: suspended.sequence,
    publishedAt: new Date(deps.clock.now()).toISOString(),
    digest: resigned.digest,
    artifactKey: location,
  });
  await deps.queue.send(deps.queues.cluster(cluster), {
    body: encodeJob({ kind: 'nudge', target, digest: resigned.digest }),
  });
  deps.log.info('suspended', { cluster, target: describeTarget(target), digest: resigned.digest });
  return { outcome: 'published', digest: resigned.digest };
}
