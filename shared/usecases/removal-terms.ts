// Use-case step of a withdrawal: what the signed tombstone says about the removed target's objects, read from
// the record its index entry last pointed at (as Flux's finalizer reads the spec of the object being deleted).
import type { TombstonePayload } from '../core/artifact/artifact.ts';
import { checkBinding } from '../core/artifact/binding.ts';
import { verifySigned } from '../core/artifact/sign-artifact.ts';
import type { IndexEntry } from '../core/pipeline/records.ts';
import type { Target } from '../core/pipeline/target.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import type { StateStore } from './state-store.ts';

export type RemovalTerms = Pick<TombstonePayload, 'deletionPolicy' | 'timeoutMs' | 'suspended'>;

/**
 * The deletion policy (with its timeout for WaitForTermination) and suspension of the last published record;
 * empty (MirrorPrune) when there is none. The record is verified first: the tombstone is signed, so an edit in
 * the store must not become a signed instruction to delete (a tampered record throws ArtifactRejected).
 */
export async function removalTerms(
  deps: Pick<PipelineDeps, 'keys'>,
  state: StateStore,
  cluster: string,
  target: Target,
  current: IndexEntry,
): Promise<RemovalTerms> {
  if (current.deleted || !current.digest || !current.artifactKey) return {};
  const signed = await state.getArtifactAt(current.artifactKey);
  // A record gone from the store leaves Flux's default, MirrorPrune (the puller knows `prune` itself).
  if (!signed) return {};
  const payload = verifySigned(signed, await deps.keys.publicKeyPem(), current.digest);
  checkBinding(payload, { cluster, target, keyFingerprint: '', digest: current.digest }, undefined);
  if (payload.kind !== 'Artifact') return {};
  const { deletionPolicy, timeoutMs, suspend } = payload.apply;
  return {
    ...(deletionPolicy && { deletionPolicy }),
    ...(deletionPolicy === 'WaitForTermination' && { timeoutMs }),
    ...(suspend && { suspended: true as const }),
  };
}
