// The checks a rollback passes, when it is asked for and again when its job runs: a declared cluster, a
// target with a published artifact, and an artifact to restore that is stored, verified and this target's.
import type { ArtifactPayload, SignedPayload } from '../core/artifact/artifact.ts';
import { checkBinding } from '../core/artifact/binding.ts';
import { checkRestorable } from '../core/artifact/rollback.ts';
import { verifySigned } from '../core/artifact/sign-artifact.ts';
import { isSluiceError, SluiceError } from '../core/errors.ts';
import { HttpError } from '../core/http-error.ts';
import type { IndexEntry } from '../core/pipeline/records.ts';
import { describeTarget, type Target } from '../core/pipeline/target.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { type StateStore, stateOf } from './state-store.ts';

export type RollbackDeps = Pick<
  PipelineDeps,
  'store' | 'queue' | 'queues' | 'keys' | 'clock' | 'log' | 'settings'
>;

export const FULL_DIGEST = /^sha256:[0-9a-f]{64}$/;

export function knownCluster(deps: Pick<PipelineDeps, 'settings'>, cluster: string): void {
  if (!deps.settings.clusters.includes(cluster))
    throw new HttpError(
      404,
      'ReferenceNotFound',
      `no cluster "${cluster}"; declared clusters: ${deps.settings.clusters.join(', ')}`,
    );
}

export async function currentEntry(state: StateStore, cluster: string, target: Target): Promise<IndexEntry> {
  const entry = await state.getIndexEntry(cluster, target);
  if (!entry?.digest || !entry.artifactKey)
    throw new HttpError(
      404,
      'ReferenceNotFound',
      `${describeTarget(target)} has no published artifact in cluster "${cluster}"; nothing to roll back`,
    );
  if (entry.deleted)
    throw new HttpError(
      409,
      'UsageError',
      `${describeTarget(target)} was removed from cluster "${cluster}"; a removed target is not rolled back (declare it again)`,
    );
  return entry;
}

export function notStored(cluster: string, target: Target, digest: string): never {
  throw new HttpError(
    404,
    'ReferenceNotFound',
    `no artifact ${digest} of ${describeTarget(target)} is stored for cluster "${cluster}"; list them with: sluice rollback ${cluster}/${target.namespace}/${target.name}`,
  );
}

/** The artifact to restore: stored, its digest and signature check out, and it is this target's. */
export async function verifiedRestorable(
  deps: RollbackDeps,
  state: StateStore,
  cluster: string,
  target: Target,
  digest: string,
): Promise<ArtifactPayload> {
  const signed = await state.getArtifactAt(state.artifactLocation(cluster, digest));
  if (!signed) notStored(cluster, target, digest);
  try {
    const payload = verifySigned(signed, await deps.keys.publicKeyPem(), digest);
    checkRestorable(payload, cluster, target, digest);
    return payload as ArtifactPayload;
  } catch (err) {
    if (isSluiceError(err) && err.code === 'ArtifactRejected')
      throw new HttpError(422, 'ArtifactRejected', `cannot roll back to ${digest}: ${err.message}`);
    throw err;
  }
}

/** The record the index points at now: a rollback starts from a record the control plane signed. */
export async function verifiedCurrent(
  deps: RollbackDeps,
  state: StateStore,
  cluster: string,
  target: Target,
  entry: IndexEntry,
): Promise<SignedPayload> {
  const signed = await state.getArtifactAt(entry.artifactKey as string);
  try {
    if (!signed) throw new SluiceError('ArtifactRejected', `${entry.digest} is missing from the store`);
    const payload = verifySigned(signed, await deps.keys.publicKeyPem(), entry.digest);
    checkBinding(payload, { cluster, target, keyFingerprint: '', digest: entry.digest as string }, undefined);
    return payload;
  } catch (err) {
    if (isSluiceError(err) && err.code === 'ArtifactRejected')
      throw new SluiceError(
        'ArtifactRejected',
        `the current index entry of ${describeTarget(target)} does not check out (${err.message}); render it again before rolling back`,
      );
    throw err;
  }
}

/** The signed record at `location` if it verifies as `digest`; undefined when missing or not ours. */
export async function verifiedAt(
  deps: Pick<PipelineDeps, 'store' | 'keys'>,
  location: string,
  digest: string,
): Promise<SignedPayload | undefined> {
  const signed = await stateOf(deps).getArtifactAt(location);
  if (!signed) return undefined;
  try {
    return verifySigned(signed, await deps.keys.publicKeyPem(), digest);
  } catch {
    return undefined;
  }
}
