// Use-case: the artifacts a target can be rolled back to (`sluice rollback CLUSTER/NAME`): the stored
// records of its cluster that verify and are bound to it, newest first.
import { artifactKey } from '../core/artifact/artifact.ts';
import { checkRestorable } from '../core/artifact/rollback.ts';
import { verifySigned } from '../core/artifact/sign-artifact.ts';
import { storePrefixes } from '../core/pipeline/resource-names.ts';
import type { Target } from '../core/pipeline/target.ts';
import { knownCluster, type RollbackDeps } from './rollback-checks.ts';
import { stateOf } from './state-store.ts';

/** A stored artifact of a target, as `sluice rollback --list` shows it (newest first). */
export interface RestorableArtifact {
  digest: string;
  revision: string;
  sequence: number;
  current: boolean;
  /** It is itself a rollback, to this digest. */
  rollbackTo?: string;
}

/** At most this many stored artifacts are read for a listing or to resolve a short digest. */
export const MAX_ARTIFACTS_SCANNED = 5000;

/** The target's stored artifacts that verify and are bound to it, newest first (at most `limit`). */
export async function listRestorable(
  deps: RollbackDeps,
  cluster: string,
  target: Target,
  limit = 20,
): Promise<RestorableArtifact[]> {
  knownCluster(deps, cluster);
  const state = stateOf(deps);
  const current = await state.getIndexEntry(cluster, target);
  const publicKeyPem = await deps.keys.publicKeyPem();
  const found: RestorableArtifact[] = [];
  for (const key of (await deps.store.list(storePrefixes.clusterArtifacts(cluster))).slice(
    0,
    MAX_ARTIFACTS_SCANNED,
  )) {
    const signed = await state.getArtifactAt(key).catch(() => undefined);
    if (!signed || artifactKey(cluster, String(signed.digest)) !== key) continue;
    try {
      const payload = verifySigned(signed, publicKeyPem);
      checkRestorable(payload, cluster, target, signed.digest);
      if (payload.kind !== 'Artifact') continue;
      found.push({
        digest: signed.digest,
        revision: payload.source.revision,
        sequence: payload.sequence,
        current: signed.digest === current?.digest,
        ...(payload.rollback && { rollbackTo: payload.rollback.to }),
      });
    } catch {
      // Another target's, another cluster's, a tombstone or not ours at all: not a candidate.
    }
  }
  return found.sort((a, b) => b.sequence - a.sequence).slice(0, limit);
}
