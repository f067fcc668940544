// Use-case: fetch one source. Unchanged revision ⇒ nothing downstream; a new revision is stored as a
// snapshot named by the digest of its bytes, the source's generation moves forward, and the Kustomizations
// that use the source render: directly, or queued by their parent once it registered the revision. A stored snapshot a render could not trust
// (missing, not matching its digest, or stored before bundles had digests) is stored again.

import { SluiceError } from '../core/errors.ts';
import { redactUrl } from '../core/git/select-ref.ts';
import { bundleDigestOf } from '../core/pipeline/bundle-digest.ts';
import type { FetchJob } from '../core/pipeline/jobs.ts';
import type { FetchSpec, FetchState } from '../core/pipeline/records.ts';
import type { GitCredentials } from '../ports/git-source.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { enqueueSourceRenders } from './render-order.ts';
import { loadDeclarations } from './source-declarations.ts';
import { stateOf } from './state-store.ts';

export async function fetchSource(
  deps: PipelineDeps,
  job: FetchJob,
): Promise<{ changed: boolean; revision?: string }> {
  const spec = await stateOf(deps).getFetchSpec(job.sourceKey);
  if (!spec) {
    deps.log.warn('fetch job for an unknown source, ignored', { sourceKey: job.sourceKey });
    return { changed: false };
  }
  const state: FetchState = (await stateOf(deps).getFetchState(job.sourceKey)) ?? {
    sourceKey: job.sourceKey,
    generation: 0,
  };
  const now = new Date(deps.clock.now()).toISOString();
  const recordFailure = async (err: unknown): Promise<void> => {
    const e = err as SluiceError;
    const message = `${await declaredBy(deps, spec)}: ${e.message}`;
    await stateOf(deps).putFetchState({
      ...state,
      lastAttemptAt: now,
      error: { code: e.code ?? 'GitFetchFailed', message, at: now },
    });
  };
  let snapshot: Awaited<ReturnType<PipelineDeps['git']['fetch']>>;
  try {
    snapshot = await deps.git.fetch({
      url: spec.url,
      ...(spec.ref && { ref: spec.ref }),
      ...(spec.ignore !== undefined && { ignore: spec.ignore }),
      ...(state.commit && { lastCommit: state.commit }),
      ...(spec.secret && { credentials: await credentialsFor(deps, spec) }),
      ...(spec.fleetCredentials &&
        deps.settings.fleetCredentials && { credentials: deps.settings.fleetCredentials }),
    });
  } catch (err) {
    await recordFailure(err);
    throw err;
  }
  const unchanged = snapshot.commit === state.commit && state.snapshotDigest === snapshot.digest;
  // A source left at SnapshotCorrupt tries again on any fetch (its interval, a webhook, a reconcile).
  const repair = job.reason === 'repair' || !state.bundleDigest || state.error?.code === 'SnapshotCorrupt';
  if (unchanged && repair) {
    await restoreSnapshot(deps, spec, state, snapshot.dir, snapshot.revision, { now, recordFailure });
    return { changed: false, revision: snapshot.revision };
  }
  if (unchanged) {
    // A previous attempt stored this revision but may have died before queuing every render: queue them,
    // then clear the mark in the same write as the attempt, so the fetches after this one queue nothing.
    if (state.rendersPending) await enqueueSourceRenders(deps, job.sourceKey);
    await stateOf(deps).putFetchState({
      ...state,
      rendersPending: undefined,
      lastAttemptAt: now,
      error: undefined,
    });
    return { changed: false, revision: snapshot.revision };
  }
  const bundleDigest = await storeSnapshot(deps, snapshot.dir, recordFailure);
  const next: FetchState = {
    sourceKey: job.sourceKey,
    generation: state.generation + 1,
    revision: snapshot.revision,
    commit: snapshot.commit,
    snapshotDigest: snapshot.digest,
    bundleDigest,
    fetchedAt: now,
    lastAttemptAt: now,
  };
  // Recorded as pending first: a crash between these steps is finished by the retry (see above).
  await stateOf(deps).putFetchState({ ...next, rendersPending: true });
  await enqueueSourceRenders(deps, job.sourceKey);
  await stateOf(deps).putFetchState(next);
  deps.log.info('fetched new revision', {
    source: await declaredBy(deps, spec),
    revision: snapshot.revision,
  });
  return { changed: true, revision: snapshot.revision };
}

/**
 * Packs the fetched files and stores them under the digest of the bundle's bytes. Always written, even
 * when the key exists: a second upload writes the same bytes, and one that was replaced is healed.
 */
async function storeSnapshot(
  deps: PipelineDeps,
  dir: string,
  recordFailure: (err: unknown) => Promise<void>,
): Promise<string> {
  let bundle: Buffer;
  try {
    bundle = await deps.snapshots.pack(dir);
  } catch (err) {
    // Too big to pack is as permanent as too big to fetch: say so in the source's status.
    if (err instanceof SluiceError) await recordFailure(err);
    throw err;
  }
  const digest = bundleDigestOf(bundle);
  await stateOf(deps).putSnapshot(digest, bundle);
  return digest;
}

/**
 * The revision did not move, but a render could not trust its stored snapshot (or it was stored before
 * bundles had digests): store it again from the fetched files, read it back, and render again. The
 * generation stays: nothing new was fetched. A store that still does not return what was written is a
 * permanent SnapshotCorrupt on the source, so a corrupting store cannot keep fetch and render looping;
 * the source's next fetch (interval, webhook, reconcile) tries once more.
 */
async function restoreSnapshot(
  deps: PipelineDeps,
  spec: FetchSpec,
  state: FetchState,
  dir: string,
  revision: string,
  at: { now: string; recordFailure: (err: unknown) => Promise<void> },
): Promise<void> {
  if (state.bundleDigest) {
    // Another render's repair (or a retry of this one) may have stored it already.
    const stored = await stateOf(deps).getSnapshot(state.bundleDigest);
    if (stored && bundleDigestOf(stored) === state.bundleDigest) {
      // Renders that failed while the source was at SnapshotCorrupt were dead-lettered, and a fetch that
      // died before queuing them left them pending: queue them again, once.
      if (state.error?.code === 'SnapshotCorrupt' || state.rendersPending)
        await enqueueSourceRenders(deps, state.sourceKey);
      await stateOf(deps).putFetchState({
        ...state,
        rendersPending: undefined,
        lastAttemptAt: at.now,
        error: undefined,
      });
      return;
    }
  }
  const bundleDigest = await storeSnapshot(deps, dir, at.recordFailure);
  const readBack = await stateOf(deps).getSnapshot(bundleDigest);
  if (!readBack || bundleDigestOf(readBack) !== bundleDigest) {
    const err = new SluiceError(
      'SnapshotCorrupt',
      `the snapshot of ${redactUrl(spec.url)} at ${revision} was stored again but the store does not return what was written (${stateOf(deps).snapshotLocation(bundleDigest)}); nothing is rendered from it. Check who or what can write snapshots/ in the store, then trigger a fetch`,
    );
    await at.recordFailure(err);
    throw err;
  }
  const next: FetchState = { ...state, bundleDigest, lastAttemptAt: at.now, error: undefined };
  await stateOf(deps).putFetchState({ ...next, rendersPending: true });
  await enqueueSourceRenders(deps, state.sourceKey);
  await stateOf(deps).putFetchState({ ...next, rendersPending: undefined });
  deps.log.warn('stored the snapshot again', {
    source: await declaredBy(deps, spec),
    revision,
    why: state.bundleDigest
      ? 'missing or not matching its digest'
      : 'stored without a digest by an earlier version',
  });
}

/** Who declared the source, for messages: read only when a message needs it. */
async function declaredBy(deps: PipelineDeps, spec: FetchSpec): Promise<string> {
  return (await loadDeclarations(stateOf(deps), spec)).declaredBy;
}

async function credentialsFor(deps: PipelineDeps, spec: FetchSpec): Promise<GitCredentials> {
  const secret = spec.secret as NonNullable<FetchSpec['secret']>;
  const record = await stateOf(deps).getConfig(secret.cluster, 'Secret', secret);
  if (!record) {
    throw new SluiceError(
      'ReferenceNotFound',
      `${await declaredBy(deps, spec)}: spec.secretRef: Secret '${secret.namespace}/${secret.name}' not found; add it to the cluster's fleet directory`,
      { retryable: true },
    );
  }
  const { username, password, bearerToken } = record.data;
  return {
    ...(username && { username }),
    ...(password && { password }),
    ...(bearerToken && { bearerToken }),
  };
}
