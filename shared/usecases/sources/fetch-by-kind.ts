// Use-case step: fetch one source with the adapter of its kind. Git, OCI artifacts and Helm indexes come
// from the network; a HelmChart is built from its source's stored snapshot (and, for dependencies and
// repositories, the network), so every render reads a self-contained chart; an ArtifactGenerator's
// artifact is composed from its inputs' stored snapshots.
import { SluiceError } from '../../core/errors.ts';
import type { FetchSpec, FetchState } from '../../core/pipeline/records.ts';
import type { GitCredentials } from '../../ports/git-source.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { stateOf } from '../state-store.ts';
import { bucketCredentialsOf } from './bucket-credentials.ts';
import { composeArtifact } from './compose-artifact.ts';
import { buildHelmChart } from './fetch-helm-chart.ts';
import type { FetchOutcome } from './fetch-outcome.ts';
import { remoteAccessOf } from './source-access.ts';

export interface FetchContext {
  spec: FetchSpec;
  state: FetchState;
  /** The stored snapshot must be written again: fetch in full, no conditional request. */
  repair: boolean;
  declaredBy: () => Promise<string>;
}

export async function fetchByKind(deps: PipelineDeps, ctx: FetchContext): Promise<FetchOutcome> {
  const { spec, state } = ctx;
  switch (spec.kind ?? 'GitRepository') {
    case 'GitRepository': {
      const snapshot = await deps.git.fetch({
        url: spec.url,
        ...(spec.ref && { ref: spec.ref }),
        ...(spec.ignore !== undefined && { ignore: spec.ignore }),
        ...(state.commit && { lastCommit: state.commit }),
        ...(spec.secret && { credentials: await gitCredentials(deps, spec, ctx) }),
        ...(spec.fleetCredentials &&
          deps.settings.fleetCredentials && { credentials: deps.settings.fleetCredentials }),
      });
      return {
        kind: 'snapshot',
        revision: snapshot.revision,
        identity: snapshot.commit,
        snapshotDigest: snapshot.digest,
        dir: snapshot.dir,
      };
    }
    case 'OCIRepository': {
      const access = await remoteAccessOf(stateOf(deps), spec);
      const snapshot = await deps.sources.oci.fetch({
        url: spec.url,
        ...(spec.oci?.ref && { ref: spec.oci.ref }),
        ...(spec.oci?.layerSelector && { layerSelector: spec.oci.layerSelector }),
        ...(spec.ignore !== undefined && { ignore: spec.ignore }),
        access,
        ...(state.commit && !ctx.repair && { lastDigest: state.commit }),
      });
      return {
        kind: 'snapshot',
        revision: snapshot.revision,
        identity: snapshot.manifestDigest,
        snapshotDigest: snapshot.digest,
        dir: snapshot.dir,
        artifactDigest: snapshot.manifestDigest,
      };
    }
    case 'Bucket':
      return fetchBucket(deps, ctx);
    case 'HelmRepository':
      return fetchHelmIndex(deps, ctx);
    case 'HelmChart':
      return buildHelmChart(deps, ctx);
    case 'ExternalArtifact':
      return composeArtifact(deps, ctx);
  }
}

/** The listing is read every time, as Flux does; the objects only when it moved (or a repair needs them). */
async function fetchBucket(deps: PipelineDeps, ctx: FetchContext): Promise<FetchOutcome> {
  const { spec, state } = ctx;
  const fields = spec.bucket;
  if (!fields) throw new SluiceError('ValidationFailed', 'a Bucket fetch spec without its bucket fields');
  const credentials = spec.secret && (await bucketCredentialsOf(stateOf(deps), spec.secret));
  const result = await deps.sources.bucket.fetch({
    fields,
    ...(spec.ignore !== undefined && { ignore: spec.ignore }),
    ...(credentials && { credentials }),
    ...(!ctx.repair && state.snapshotDigest && state.commit && { lastRevision: state.commit }),
  });
  if (result.unchanged) return { kind: 'notModified' };
  return {
    kind: 'snapshot',
    revision: result.revision,
    identity: result.revision,
    snapshotDigest: result.digest,
    dir: result.dir,
    artifactDigest: result.revision,
  };
}

async function fetchHelmIndex(deps: PipelineDeps, ctx: FetchContext): Promise<FetchOutcome> {
  const { spec, state } = ctx;
  if (spec.helmRepository?.type === 'oci') {
    return { kind: 'noArtifact', revision: 'an OCI repository has no index; its charts are pulled by tag' };
  }
  const access = await remoteAccessOf(stateOf(deps), spec);
  // A conditional request only when what it would keep is really there.
  const etag = !ctx.repair && state.snapshotDigest ? state.etag : undefined;
  const index = await deps.sources.helm.fetchIndex(spec.url, access, etag);
  if (index.notModified) return { kind: 'notModified' };
  const dir = await deps.sources.writeIndexSnapshot(index.bytes, index.digest);
  return {
    kind: 'snapshot',
    revision: index.digest,
    identity: index.digest,
    snapshotDigest: index.digest,
    dir,
    artifactDigest: index.digest,
    ...(index.etag && { etag: index.etag }),
  };
}

async function gitCredentials(
  deps: PipelineDeps,
  spec: FetchSpec,
  ctx: FetchContext,
): Promise<GitCredentials> {
  const secret = spec.secret as NonNullable<FetchSpec['secret']>;
  const record = await stateOf(deps).getConfig(secret.cluster, 'Secret', secret);
  if (!record) {
    throw new SluiceError(
      'ReferenceNotFound',
      `${await ctx.declaredBy()}: spec.secretRef: Secret '${secret.namespace}/${secret.name}' not found; add it to the cluster's fleet directory`,
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
