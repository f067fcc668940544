// The messages that move work between stages. Jobs carry identities, not data: a worker always reads the
// latest state, so duplicate, late or reordered deliveries converge on the same result.

import type { DriftSummary, FieldConflictReport } from '../apply/drift.ts';
import { SluiceError } from '../errors.ts';
import type { ClusterCapabilities } from './records.ts';
import { isTargetKind, type Target } from './target.ts';

export interface FetchJob {
  kind: 'fetch';
  sourceKey: string;
  /** `repair`: a render found the stored snapshot missing or not matching its digest; store it again. */
  reason: 'webhook' | 'schedule' | 'registration' | 'startup' | 'repair' | 'source';
}

export interface RenderJob {
  kind: 'render';
  cluster: string;
  target: Target;
  /**
   * Not a render: restore an earlier artifact of the target (usecases/rollback-target.ts). It rides the
   * target's render group, so the target's index entry keeps one writer.
   */
  rollback?: RollbackRequest;
}

/** What an operator asked for: the digest of the artifact to restore, who asked (the channel) and why. */
export interface RollbackRequest {
  to: string;
  by: string;
  reason?: string;
}

/** The puller's report, sent back on the events queue. */
export interface ApplyReport {
  kind: 'apply-report';
  cluster: string;
  target: Target;
  digest: string;
  revision: string;
  ready: boolean;
  reason: string;
  message: string;
  applied: number;
  pruned: number;
  at: string;
  /** The cluster's API server as the puller sees it: HelmReleases render against it (checked, bounded). */
  capabilities?: ClusterCapabilities;
  /** The revision of the artifact this reconcile was about (Flux's lastAttemptedRevision). */
  lastAttemptedRevision?: string;
  /** The revision last applied successfully, this one or an earlier one (Flux's lastAppliedRevision). */
  lastAppliedRevision?: string;
  /** Objects in the target's inventory after this reconcile. */
  inventory?: number;
  /** Nothing changes until someone acts (a new publish, a fixed dependsOn): Flux's Stalled condition. */
  stalled?: boolean;
  /** The target is suspended (spec.suspend): nothing was applied; what was applied before stays. */
  suspended?: boolean;
  /** A re-apply of the unchanged artifact found objects edited or deleted by hand and corrected them. */
  drift?: DriftSummary;
  /** Fields other field managers had set that this apply took over (a warning: the target may be Ready). */
  conflicts?: FieldConflictReport[];
}

/** Sent to a cluster's queue after its index changed: wake up and look. */
export interface ClusterNudge {
  kind: 'nudge';
  target: Target;
  digest: string;
}

export type Job = FetchJob | RenderJob | ApplyReport | ClusterNudge;

export function encodeJob(job: Job): string {
  return JSON.stringify(job);
}

export function decodeJob(body: string): Job {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new SluiceError('InvalidJob', 'queue message is not JSON; it was dead-lettered');
  }
  const kind = (value as { kind?: unknown })?.kind;
  if (kind !== 'fetch' && kind !== 'render' && kind !== 'apply-report' && kind !== 'nudge') {
    throw new SluiceError(
      'InvalidJob',
      `queue message has unknown kind ${JSON.stringify(kind)}; it was dead-lettered`,
    );
  }
  const job = value as Record<string, unknown>;
  if (kind !== 'fetch') job.target = targetOfMessage(job);
  const key = job.target as { kind?: unknown; namespace?: unknown; name?: unknown } | undefined;
  const missing =
    kind === 'fetch'
      ? typeof job.sourceKey !== 'string' && 'sourceKey'
      : kind !== 'nudge' && typeof job.cluster !== 'string'
        ? 'cluster'
        : (!isTargetKind(key?.kind) || typeof key?.namespace !== 'string' || typeof key?.name !== 'string') &&
          'target';
  if (missing) {
    throw new SluiceError(
      'InvalidJob',
      `queue message of kind ${kind} has no valid ${missing}; it was dead-lettered`,
    );
  }
  return value as Job;
}

/** Messages sent by versions before targets named a Kustomization only: `kustomization: {namespace, name}`. */
function targetOfMessage(job: Record<string, unknown>): unknown {
  if (job.target !== undefined || job.kustomization === undefined) return job.target;
  const { namespace, name } = (job.kustomization ?? {}) as { namespace?: unknown; name?: unknown };
  delete job.kustomization;
  return { kind: 'Kustomization', namespace, name };
}
