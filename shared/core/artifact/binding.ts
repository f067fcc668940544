// Binding and freshness of a verified record: the puller acts on it only if it was signed for this
// cluster and for the target whose index entry pointed at it, and is not older than what it last applied.
import { SluiceError } from '../errors.ts';
import type { ObjectKey } from '../pipeline/state-keys.ts';
import type { SignedPayload } from './artifact.ts';
import { type Generation, isOlder } from './generation.ts';

/** What the puller last applied for a target, as it recorded it in the cluster. */
export interface AppliedMark {
  generation: Generation;
  /** Fingerprint of the public key that verified it: generations only compare under the same signer. */
  keyFingerprint: string;
}

export interface Expected {
  cluster: string;
  /** The target the index entry is for (from its key in the store, not from its content). */
  target: ObjectKey;
  keyFingerprint: string;
}

/** Throws ArtifactRejected naming why the record does not belong here or would go backwards. */
export function checkBinding(
  payload: SignedPayload,
  expected: Expected,
  applied: AppliedMark | undefined,
): void {
  const reject = (why: string): never => {
    throw new SluiceError('ArtifactRejected', why, { field: 'payload' });
  };
  const want = `${expected.target.namespace}/${expected.target.name}`;
  const { target, kustomization, generation } = payload;
  if (!target || !generation || typeof generation.fleet !== 'number' || typeof generation.source !== 'number')
    reject('it does not name its target and generation (signed by an older control plane); re-render it');
  if (payload.cluster !== expected.cluster)
    reject(`it was signed for cluster '${payload.cluster}', not this cluster '${expected.cluster}'`);
  const named = `${target.namespace}/${target.name}`;
  if (
    target.kind !== 'Kustomization' ||
    named !== want ||
    kustomization?.namespace !== target.namespace ||
    kustomization?.name !== target.name
  )
    reject(`it was signed for ${target.kind} '${named}', not for Kustomization '${want}'`);
  if (
    applied &&
    applied.keyFingerprint === expected.keyFingerprint &&
    isOlder(generation, applied.generation)
  )
    reject(
      `its generation (fleet ${generation.fleet}, source ${generation.source}) is older than the last applied (fleet ${applied.generation.fleet}, source ${applied.generation.source}): a rollback is refused`,
    );
}
