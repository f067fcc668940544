// Binding and freshness of a verified record: the puller acts on it only if it was signed for this
// cluster and for the target whose index entry pointed at it, and is the record it last applied or newer.
import { SluiceError } from '../errors.ts';
import { describeTarget, type Target } from '../pipeline/target.ts';
import type { SignedPayload } from './artifact.ts';
import { type Generation, isOlder } from './generation.ts';
import { isSequence } from './sequence.ts';

/** What the puller last applied for a target (artifact or tombstone), as it recorded it in the cluster. */
export interface AppliedMark {
  generation: Generation;
  /** Publish sequence of that record; absent in marks recorded before records carried one. */
  sequence?: number;
  /** Digest of that record: the same record may always be applied again. */
  digest?: string;
  /** Fingerprint of the public key that verified it: records only compare under the same signer. */
  keyFingerprint: string;
}

export interface Expected {
  cluster: string;
  /** The target the index entry is for (from its key in the store, not from its content). */
  target: Target;
  keyFingerprint: string;
  /** Digest of the record being checked. */
  digest: string;
}

/** Throws ArtifactRejected naming why the record does not belong here or is not newer than the last applied. */
export function checkBinding(
  payload: SignedPayload,
  expected: Expected,
  applied: AppliedMark | undefined,
): void {
  const reject = (why: string): never => {
    throw new SluiceError('ArtifactRejected', why, { field: 'payload' });
  };
  const { target, kustomization, generation, sequence } = payload;
  if (!target || !generation || typeof generation.fleet !== 'number' || typeof generation.source !== 'number')
    reject('it does not name its target and generation (signed by an older control plane); re-render it');
  if (!isSequence(sequence))
    reject('it carries no publish sequence (signed by an older control plane); re-render it');
  if (payload.cluster !== expected.cluster)
    reject(`it was signed for cluster '${payload.cluster}', not this cluster '${expected.cluster}'`);
  const want = expected.target;
  if (
    target.kind !== want.kind ||
    target.namespace !== want.namespace ||
    target.name !== want.name ||
    // A Kustomization's records name it twice (see bindingOf): both must agree.
    (want.kind === 'Kustomization' &&
      (kustomization?.namespace !== target.namespace || kustomization?.name !== target.name))
  )
    reject(`it was signed for ${describeTarget(target)}, not for ${describeTarget(want)}`);
  if (!applied || applied.keyFingerprint !== expected.keyFingerprint || applied.digest === expected.digest)
    return;
  if (applied.sequence === undefined) {
    // Recorded by an earlier puller: only generations are known; every sequenced record was signed later.
    if (isOlder(generation, applied.generation))
      reject(
        `its generation (fleet ${generation.fleet}, source ${generation.source}) is older than the last applied (fleet ${applied.generation.fleet}, source ${applied.generation.source}): a rollback is refused`,
      );
    return;
  }
  if (sequence < applied.sequence)
    reject(
      `its publish sequence ${sequence} is older than the last applied (${applied.sequence}): a rollback is refused`,
    );
  if (sequence === applied.sequence)
    reject(
      `its publish sequence ${sequence} is the last applied one's but its content differs: a swap is refused`,
    );
}
