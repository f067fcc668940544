// Use-case: fetch one source. Unchanged revision ⇒ nothing downstream; a new revision is stored as a
// content-addressed snapshot, the source's generation moves forward, and every Kustomization that uses
// the source gets a render job.

import { packSnapshot } from '../adapters/local/snapshot-bundle.ts';
import { SluiceError } from '../core/errors.ts';
import type { FetchJob } from '../core/pipeline/jobs.ts';
import type { FetchSpec, FetchState } from '../core/pipeline/records.ts';
import { stateKeys } from '../core/pipeline/state-keys.ts';
import type { GitCredentials } from '../ports/git-source.ts';
import { getJson, putJson } from '../ports/object-store.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { enqueueRender } from './register-children.ts';

export async function fetchSource(
  deps: PipelineDeps,
  job: FetchJob,
): Promise<{ changed: boolean; revision?: string }> {
  const spec = await getJson<FetchSpec>(deps.store, stateKeys.fetchSpec(job.sourceKey));
  if (!spec) {
    deps.log.warn('fetch job for an unknown source, ignored', { sourceKey: job.sourceKey });
    return { changed: false };
  }
  const state: FetchState = (await getJson<FetchState>(deps.store, stateKeys.fetchState(job.sourceKey))) ?? {
    sourceKey: job.sourceKey,
    generation: 0,
  };
  const now = new Date(deps.clock.now()).toISOString();
  const recordFailure = async (err: unknown): Promise<void> => {
    const e = err as SluiceError;
    await putJson(deps.store, stateKeys.fetchState(job.sourceKey), {
      ...state,
      lastAttemptAt: now,
      error: { code: e.code ?? 'GitFetchFailed', message: `${spec.declaredBy}: ${e.message}`, at: now },
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
  if (unchanged) {
    // A previous attempt stored this revision but may have died before queuing every render.
    if (state.rendersPending) {
      await enqueueRenders(deps, job.sourceKey);
      await putJson(deps.store, stateKeys.fetchState(job.sourceKey), { ...state, rendersPending: undefined });
    }
    await putJson(deps.store, stateKeys.fetchState(job.sourceKey), {
      ...state,
      lastAttemptAt: now,
      error: undefined,
    });
    return { changed: false, revision: snapshot.revision };
  }
  // Content-addressed: a second upload of the same snapshot writes the same bytes.
  const key = stateKeys.snapshot(snapshot.digest);
  if ((await deps.store.list(key)).length === 0) {
    let bundle: Buffer;
    try {
      bundle = await packSnapshot(snapshot.dir);
    } catch (err) {
      // Too big to pack is as permanent as too big to fetch: say so in the source's status.
      if (err instanceof SluiceError) await recordFailure(err);
      throw err;
    }
    await deps.store.put(key, bundle, 'application/gzip');
  }
  const next: FetchState = {
    sourceKey: job.sourceKey,
    generation: state.generation + 1,
    revision: snapshot.revision,
    commit: snapshot.commit,
    snapshotDigest: snapshot.digest,
    fetchedAt: now,
    lastAttemptAt: now,
  };
  // Recorded as pending first: a crash between these steps is finished by the retry (see above).
  await putJson(deps.store, stateKeys.fetchState(job.sourceKey), { ...next, rendersPending: true });
  await enqueueRenders(deps, job.sourceKey);
  await putJson(deps.store, stateKeys.fetchState(job.sourceKey), next);
  deps.log.info('fetched new revision', { source: spec.declaredBy, revision: snapshot.revision });
  return { changed: true, revision: snapshot.revision };
}

export async function enqueueRenders(deps: PipelineDeps, sourceKey: string): Promise<number> {
  const prefix = stateKeys.fetchUsers(sourceKey);
  const users = await deps.store.list(prefix);
  for (const user of users) {
    const [cluster = '', namespace = '', name = ''] = user.slice(prefix.length).split('/');
    await enqueueRender(deps, cluster, { namespace, name });
  }
  return users.length;
}

async function credentialsFor(deps: PipelineDeps, spec: FetchSpec): Promise<GitCredentials> {
  const secret = spec.secret as NonNullable<FetchSpec['secret']>;
  const record = await getJson<{ data: Record<string, string> }>(
    deps.store,
    stateKeys.config(secret.cluster, 'Secret', { namespace: secret.namespace, name: secret.name }),
  );
  if (!record) {
    throw new SluiceError(
      'ReferenceNotFound',
      `${spec.declaredBy}: spec.secretRef: Secret '${secret.namespace}/${secret.name}' not found; add it to the cluster's fleet directory`,
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
