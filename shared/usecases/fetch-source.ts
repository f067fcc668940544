// Use-case: fetch one source. Unchanged revision ⇒ nothing downstream; a new revision is stored as a
// snapshot named by the digest of its bytes, the source's generation moves forward, and the Kustomizations
// that use the source render: directly, or queued by their parent once it registered the revision. A stored snapshot a render could not trust
// (missing, not matching its digest, or stored before bundles had digests) is stored again.

import { SluiceError } from '../core/errors.ts';
import { redactUrl } from '../core/git/select-ref.ts';
import { bundleDigestOf } from '../core/pipeline/bundle-digest.ts';
import type { FetchJob } from '../core/pipeline/jobs.ts';
import type { FetchSpec, FetchState } from '../core/pipeline/records.ts';
import { enqueueFetch } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { enqueueSourceRenders } from './render-order.ts';
import { loadDeclarations } from './source-declarations.ts';
import { fetchByKind } from './sources/fetch-by-kind.ts';
import type { FetchOutcome } from './sources/fetch-outcome.ts';
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
  const declarations = await loadDeclarations(stateOf(deps), spec);
  if (declarations.suspended && job.reason !== 'repair') {
    deps.log.info('source suspended, not fetched', { source: declarations.declaredBy });
    return { changed: false };
  }
  // A HelmChart withdrawn from the fleet keeps its marker on its source until that is cleaned up: not built.
  if (job.reason === 'source' && declarations.declarers.length === 0) return { changed: false };
  // A source left at SnapshotCorrupt tries again on any fetch (its interval, a webhook, a reconcile).
  const repair = job.reason === 'repair' || !state.bundleDigest || state.error?.code === 'SnapshotCorrupt';
  let outcome: FetchOutcome;
  try {
    outcome = await fetchByKind(deps, { spec, state, repair, declaredBy: () => declaredBy(deps, spec) });
  } catch (err) {
    await recordFailure(err);
    throw err;
  }
  if (outcome.kind === 'noArtifact') {
    await stateOf(deps).putFetchState({
      ...state,
      revision: outcome.revision,
      lastAttemptAt: now,
      error: undefined,
    });
    return { changed: false };
  }
  const unchanged =
    outcome.kind === 'notModified' ||
    (outcome.identity === state.commit && state.snapshotDigest === outcome.snapshotDigest);
  if (unchanged && repair && outcome.kind === 'snapshot') {
    await restoreSnapshot(deps, spec, state, outcome.dir, outcome.revision, { now, recordFailure });
    return { changed: false, revision: outcome.revision };
  }
  if (outcome.kind === 'notModified' || unchanged) {
    // A previous attempt stored this revision but may have died before queuing every render: queue them,
    // then clear the mark in the same write as the attempt, so the fetches after this one queue nothing.
    if (state.rendersPending) {
      await enqueueSourceRenders(deps, job.sourceKey);
      await fetchDependents(deps, job.sourceKey, state.generation);
    }
    await stateOf(deps).putFetchState({
      ...state,
      rendersPending: undefined,
      lastAttemptAt: now,
      error: undefined,
    });
    return { changed: false, ...(state.revision && { revision: state.revision }) };
  }
  const snapshot = outcome;
  const bundleDigest = await storeSnapshot(deps, snapshot.dir, recordFailure);
  const next: FetchState = {
    sourceKey: job.sourceKey,
    generation: state.generation + 1,
    revision: snapshot.revision,
    commit: snapshot.identity,
    snapshotDigest: snapshot.snapshotDigest,
    bundleDigest,
    ...(snapshot.artifactDigest && { artifactDigest: snapshot.artifactDigest }),
    ...(snapshot.etag && { etag: snapshot.etag }),
    ...(snapshot.chart && { chart: snapshot.chart }),
    fetchedAt: now,
    lastAttemptAt: now,
  };
  // Recorded as pending first: a crash between these steps is finished by the retry (see above).
  await stateOf(deps).putFetchState({ ...next, rendersPending: true });
  await enqueueSourceRenders(deps, job.sourceKey);
  await fetchDependents(deps, job.sourceKey, next.generation);
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
      // A HelmChart that could not read it asked for this repair: build it again now it reads.
      await fetchDependents(deps, state.sourceKey, restored(state.generation, at.now));
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
  await fetchDependents(deps, state.sourceKey, restored(next.generation, at.now));
  await stateOf(deps).putFetchState({ ...next, rendersPending: undefined });
  deps.log.warn('stored the snapshot again', {
    source: await declaredBy(deps, spec),
    revision,
    why: state.bundleDigest
      ? 'missing or not matching its digest'
      : 'stored without a digest by an earlier version',
  });
}

/**
 * The sources built from this one (HelmCharts of a HelmRepository, Git or OCI source) fetch again: once per
 * occasion, a generation of this source, so a retried fetch does not queue them twice.
 */
async function fetchDependents(
  deps: PipelineDeps,
  sourceKey: string,
  occasion: number | string,
): Promise<void> {
  for (const dependent of await stateOf(deps).listDependents(sourceKey)) {
    await enqueueFetch(deps, dependent, 'source', `${sourceKey}/${occasion}`);
  }
}

/**
 * A snapshot stored again is an occasion of its own: the generation did not move, and the queue would take
 * a request named by it alone for the fetch that queued the dependents before (which then failed to read).
 */
const restored = (generation: number, at: string) => `${generation}/stored-again/${at}`;

/** Who declared the source, for messages: read only when a message needs it. */
async function declaredBy(deps: PipelineDeps, spec: FetchSpec): Promise<string> {
  return (await loadDeclarations(stateOf(deps), spec)).declaredBy;
}
