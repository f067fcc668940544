// What keeps a render from silently undoing a rollback: the index points at a signed rollback, and the
// fresh render gives back the content it rolled away from; then nothing is published.
import { type ArtifactPayload, artifactKey } from '../core/artifact/artifact.ts';
import { contentDigestOf, heldByRollback, type RollbackRecord } from '../core/artifact/rollback.ts';
import type { IndexEntry, RenderStatus } from '../core/pipeline/records.ts';
import type { Target } from '../core/pipeline/target.ts';
import { openArtifact } from '../core/secrets/seal-artifact.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { verifiedAt } from './rollback-checks.ts';
import { clusterSecretsOf } from './secrets/cluster-secrets.ts';

/**
 * The signed rollback the index points at, when `rendered` (a fresh render, sealed as it would be
 * published) is the content it moved away from: the render job then publishes nothing. Only the signed
 * record counts: an index entry that merely claims a rollback holds nothing back. `unsealed` is the same
 * render before sealing: sealed bytes change when the cluster's data key is replaced (every 30 days), so
 * then the content rolled away from is opened and compared in memory (nothing of it is kept).
 */
export async function heldRender(
  deps: Pick<PipelineDeps, 'store' | 'keys' | 'dataKeys' | 'clock'>,
  cluster: string,
  current: IndexEntry | undefined,
  rendered: ArtifactPayload,
  unsealed: ArtifactPayload = rendered,
): Promise<RollbackRecord | undefined> {
  if (!current?.rollback || !current.artifactKey || !current.digest || current.deleted) return undefined;
  const record = await verifiedAt(deps, current.artifactKey, current.digest);
  const rollback = record?.kind === 'Artifact' ? record.rollback : undefined;
  if (!rollback) return undefined;
  if (heldByRollback(rollback, rendered)) return rollback;
  if (!rendered.seal) return undefined;
  const held = await verifiedAt(deps, artifactKey(cluster, rollback.held.digest), rollback.held.digest);
  if (held?.kind !== 'Artifact' || !held.seal || held.seal === rendered.seal) return undefined;
  try {
    const cipher = await clusterSecretsOf(deps.dataKeys, deps.clock).opener(cluster, held.seal);
    return contentDigestOf(openArtifact(held, cipher)) === contentDigestOf(unsealed) ? rollback : undefined;
  } catch {
    // It does not open (its key is gone): the render is published, as without a rollback.
    return undefined;
  }
}

/** The render status of a render held by a rollback: it rendered, and the rollback stays published. */
export function heldStatus(
  target: Target,
  current: IndexEntry,
  rendered: string,
  rollback: RollbackRecord,
  at: string,
): RenderStatus {
  return {
    target,
    ready: true,
    reason: 'ReconciliationSucceeded',
    message: `Rendered revision: ${rendered}, the content rolled back from (${rollback.held.digest}): the rollback to ${current.revision} (${rollback.to}) holds until a render gives other content`,
    revision: current.revision,
    ...(current.digest && { digest: current.digest }),
    warnings: [],
    at,
  };
}
