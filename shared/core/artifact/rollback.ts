// A signed rollback: an earlier artifact of a target, signed again as the newest record of that target,
// and the rule that keeps renders from silently undoing it (a render that only gives back what was rolled away).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import { SluiceError } from '../errors.ts';
import { describeTarget, type Target } from '../pipeline/target.ts';
import type { ArtifactPayload, SignedPayload } from './artifact.ts';
import { checkBinding } from './binding.ts';

/** Longest operator's reason kept in a rollback (it lands in the signed record and in status). */
export const MAX_ROLLBACK_REASON = 200;

/** The `rollback` field of a signed artifact: what it restores, what it replaced, and what renders it holds. */
export interface RollbackRecord {
  /** Digest of the artifact whose content this one restores. */
  to: string;
  /** Digest of the record the index pointed at before. */
  from: string;
  at: string;
  /** Who asked, as the control plane saw it: `api` (the API token) or `webhook` (the webhook secret). */
  by: string;
  reason?: string;
  /**
   * The last rendered artifact the rollback moved away from (carried over by a rollback of a rollback),
   * and the digest of its content (contentDigestOf): a render giving back that content is held, whatever
   * revision it was rendered from; anything else publishes.
   */
  held: { digest: string; content: string };
}

export interface RollbackInput {
  /** The verified payload of the artifact to restore. */
  restored: ArtifactPayload;
  restoredDigest: string;
  /** The verified payload the index points at now, and its digest. */
  current: SignedPayload;
  currentDigest: string;
  sequence: number;
  at: string;
  by: string;
  reason?: string;
}

/**
 * The payload to sign: the restored content with the next sequence, the index's current generation (the
 * control plane never publishes inputs older than the index holds) and the rollback record.
 */
export function rollbackPayload(input: RollbackInput): ArtifactPayload {
  const { restored, current } = input;
  const earlier = current.kind === 'Artifact' ? current.rollback : undefined;
  const held =
    earlier?.held ??
    (current.kind === 'Artifact'
      ? { digest: input.currentDigest, content: contentDigestOf(current) }
      : { digest: input.currentDigest, content: '' });
  const { rollback: _previous, ...content } = restored;
  const reason = cleanReason(input.reason);
  return {
    ...content,
    generation: current.generation,
    sequence: input.sequence,
    rollback: {
      to: input.restoredDigest,
      from: input.currentDigest,
      at: input.at,
      by: input.by,
      ...(reason && { reason }),
      held,
    },
  };
}

/** Throws ArtifactRejected unless the payload is an artifact signed for this cluster and this target. */
export function checkRestorable(
  payload: SignedPayload,
  cluster: string,
  target: Target,
  digest: string,
): void {
  if (payload.kind !== 'Artifact')
    throw new SluiceError(
      'ArtifactRejected',
      `${digest} is a removal (tombstone) of ${describeTarget(target)}, not an artifact to roll back to`,
    );
  // The same check a puller makes, without a last-applied mark: whose it is and for what.
  checkBinding(payload, { cluster, target, keyFingerprint: '', digest }, undefined);
}

/**
 * True when a fresh render gives back the content the rollback moved away from (at any revision): it is
 * not published, so the rollback holds until the target's inputs render to something else (a fix).
 */
export function heldByRollback(rollback: RollbackRecord | undefined, rendered: ArtifactPayload): boolean {
  return rollback !== undefined && rollback.held.content === contentDigestOf(rendered);
}

/**
 * What a cluster would run: the artifact without when and from which revision it was rendered or
 * published (generation, sequence, source revision, render key) and without a rollback record. A commit
 * elsewhere in the fleet renders a target anew at a new revision with the same content.
 */
export function contentDigestOf(payload: ArtifactPayload): string {
  const { generation: _g, sequence: _s, renderKey: _r, rollback: _b, source, ...content } = payload;
  return `sha256:${createHash('sha256')
    .update(canonicalJson({ ...content, source: { url: source.url } }))
    .digest('hex')}`;
}

/** One line, printable, bounded: it is shown in status and signed. */
function cleanReason(reason: string | undefined): string | undefined {
  const line = reason
    ?.replace(/[\p{Cc}\p{Cf}\s]+/gu, ' ')
    .trim()
    .slice(0, MAX_ROLLBACK_REASON);
  return line || undefined;
}
