// Use-case: roll a target back to an earlier artifact of it. The restored content is signed again as the
// target's newest record (next sequence, a signed `rollback` field), so a puller accepts it like any publish.
import { createHash } from 'node:crypto';
import { type ArtifactPayload, artifactKey, type SignedPayload } from '../core/artifact/artifact.ts';
import { checkBinding } from '../core/artifact/binding.ts';
import {
  checkRestorable,
  contentDigestOf,
  heldByRollback,
  type RollbackRecord,
  rollbackPayload,
} from '../core/artifact/rollback.ts';
import { nextSequence } from '../core/artifact/sequence.ts';
import { signArtifact, verifySigned } from '../core/artifact/sign-artifact.ts';
import { isSluiceError, SluiceError } from '../core/errors.ts';
import { HttpError } from '../core/http-error.ts';
import { encodeJob, type RenderJob, type RollbackRequest } from '../core/pipeline/jobs.ts';
import type { IndexEntry, RenderStatus } from '../core/pipeline/records.ts';
import { storePrefixes } from '../core/pipeline/resource-names.ts';
import { describeTarget, type Target, toTarget } from '../core/pipeline/target.ts';
import { openArtifact } from '../core/secrets/seal-artifact.ts';
import { renderGroup } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { clusterSecretsOf } from './secrets/cluster-secrets.ts';
import { type StateStore, stateOf } from './state-store.ts';

type Deps = Pick<PipelineDeps, 'store' | 'queue' | 'queues' | 'keys' | 'clock' | 'log' | 'settings'>;

export interface RollbackAsk {
  cluster: string;
  target: Target;
  /** A digest, or its start (`sha256:` and at least 12 hex digits) as `sluice status` shows it. */
  to: string;
  /** `api` or `webhook`: which credential the request came with. */
  by: string;
  reason?: string;
  /** Names the request for the queue's deduplication (a webhook delivery); default: this moment. */
  occasion?: string;
}

/** What the caller hears: the rollback is queued in the target's render group. */
export interface RollbackQueued {
  cluster: string;
  target: Target;
  to: string;
  /** The source revision the restored artifact was rendered from (absent when queued unchecked). */
  revision?: string;
  from?: string;
}

/** A stored artifact of a target, as `sluice rollback --list` shows it (newest first). */
export interface RestorableArtifact {
  digest: string;
  revision: string;
  sequence: number;
  current: boolean;
  /** It is itself a rollback, to this digest. */
  rollbackTo?: string;
}

const FULL_DIGEST = /^sha256:[0-9a-f]{64}$/;
const DIGEST_START = /^sha256:[0-9a-f]{12,64}$/;
/** At most this many stored artifacts are read for a listing or to resolve a short digest. */
export const MAX_ARTIFACTS_SCANNED = 5000;

/**
 * Checks a rollback now, so the caller hears at once why it cannot be done (no such target, no such
 * artifact, one of another target), then queues it; the job checks again (rollbackTarget).
 */
export async function requestRollback(deps: Deps, ask: RollbackAsk): Promise<RollbackQueued> {
  const { cluster } = ask;
  const target = toTarget(ask.target);
  knownCluster(deps, cluster);
  const state = stateOf(deps);
  const current = await currentEntry(state, cluster, target);
  const to = await resolveDigest(deps, cluster, target, ask.to);
  const restored = await verifiedRestorable(deps, state, cluster, target, to);
  if (current.digest === to)
    throw new HttpError(
      409,
      'UsageError',
      `${to} is already the current artifact of ${describeTarget(target)}`,
    );
  await queueRollback(deps, { ...ask, target, to });
  return { cluster, target, to, revision: restored.source.revision, from: current.digest ?? '' };
}

/**
 * Queues a rollback unchecked but for its form (a declared cluster, a full digest): the job checks the
 * rest. The webhook (the cloud's internet-facing function) reads nothing in the store and signs nothing,
 * so it may only send the job; a refused rollback is dead-lettered with its reason.
 */
export async function queueRollback(
  deps: Pick<PipelineDeps, 'queue' | 'queues' | 'clock' | 'settings'>,
  ask: RollbackAsk,
): Promise<RollbackQueued> {
  const { cluster, to } = ask;
  const target = toTarget(ask.target);
  knownCluster(deps, cluster);
  if (!FULL_DIGEST.test(to))
    throw new HttpError(
      400,
      'UsageError',
      `a rollback here wants the full artifact digest (sha256: and 64 hex digits), got ${JSON.stringify(to.slice(0, 80))}`,
    );
  const job: RenderJob = {
    kind: 'render',
    cluster,
    target,
    rollback: { to, by: ask.by, ...(ask.reason && { reason: ask.reason }) },
  };
  const group = renderGroup(cluster, target);
  await deps.queue.send(deps.queues.render, {
    body: encodeJob(job),
    groupId: group,
    deduplicationId: createHash('sha256')
      .update(`${group}/rollback/${to}/${ask.occasion ?? deps.clock.now()}`)
      .digest('hex'),
  });
  return { cluster, target, to };
}

/**
 * The rollback job, in the target's render group (the index entry's one writer): signs the restored
 * content with the next sequence and points the index entry at it, then nudges the cluster. The
 * generation stays the index's, so the control plane's "never publish older inputs" rule holds; what keeps
 * a later render from undoing it is heldRender.
 */
export async function rollbackTarget(
  deps: Deps,
  job: RenderJob & { rollback: RollbackRequest },
): Promise<{ outcome: 'published' | 'unchanged'; digest: string }> {
  const { cluster, rollback } = job;
  const target = toTarget(job.target);
  if (!FULL_DIGEST.test(rollback.to))
    throw new SluiceError('InvalidJob', `rollback job names no digest for ${describeTarget(target)}`);
  const state = stateOf(deps);
  const current = await currentEntry(state, cluster, target);
  if (current.digest === rollback.to) return { outcome: 'unchanged', digest: rollback.to };
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
  await deps.queue.send(deps.queues.cluster(cluster), {
    body: encodeJob({ kind: 'nudge', target, digest: signed.digest }),
  });
  deps.log.info('rolled back', {
    cluster,
    target: describeTarget(target),
    to: rollback.to,
    digest: signed.digest,
    by: rollback.by,
  });
  return { outcome: 'published', digest: signed.digest };
}

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

/** The signed record at `location` if it verifies as `digest`; undefined when missing or not ours. */
async function verifiedAt(
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

/** The target's stored artifacts that verify and are bound to it, newest first (at most `limit`). */
export async function listRestorable(
  deps: Deps,
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

function knownCluster(deps: Pick<PipelineDeps, 'settings'>, cluster: string): void {
  if (!deps.settings.clusters.includes(cluster))
    throw new HttpError(
      404,
      'ReferenceNotFound',
      `no cluster "${cluster}"; declared clusters: ${deps.settings.clusters.join(', ')}`,
    );
}

async function currentEntry(state: StateStore, cluster: string, target: Target): Promise<IndexEntry> {
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

/** A full digest, or the one stored artifact of this cluster whose digest starts with `given`. */
async function resolveDigest(deps: Deps, cluster: string, target: Target, given: string): Promise<string> {
  if (FULL_DIGEST.test(given)) return given;
  if (!DIGEST_START.test(given))
    throw new HttpError(
      400,
      'UsageError',
      `--to wants an artifact digest (sha256: and at least 12 hex digits), got ${JSON.stringify(given.slice(0, 80))}`,
    );
  const matches = (await listRestorable(deps, cluster, target, MAX_ARTIFACTS_SCANNED)).filter((a) =>
    a.digest.startsWith(given),
  );
  if (matches.length === 1) return (matches[0] as RestorableArtifact).digest;
  if (matches.length === 0) notStored(cluster, target, given);
  throw new HttpError(
    409,
    'UsageError',
    `${given} is the start of ${matches.length} artifacts of ${describeTarget(target)}; give more digits`,
  );
}

function notStored(cluster: string, target: Target, digest: string): never {
  throw new HttpError(
    404,
    'ReferenceNotFound',
    `no artifact ${digest} of ${describeTarget(target)} is stored for cluster "${cluster}"; list them with: sluice rollback ${cluster}/${target.namespace}/${target.name}`,
  );
}

/** The artifact to restore: stored, its digest and signature check out, and it is this target's. */
async function verifiedRestorable(
  deps: Deps,
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
async function verifiedCurrent(
  deps: Deps,
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
