// Use-case step: a HelmChart's artifact, built from its source as source-controller builds it. The source
// must have been fetched (its stored snapshot is read, verified, like a render reads one); a HelmRepository
// of type oci has none and is reached through the registry. Dependencies that name a repository use the
// credentials of the cluster's HelmRepository with that URL, as Flux's dependency manager does.
import { SluiceError } from '../../core/errors.ts';
import type { FetchSpec, HelmChartFetchFields } from '../../core/pipeline/records.ts';
import type { ChartOrigin } from '../../ports/chart-builder.ts';
import type { RemoteAccess } from '../../ports/remote-access.ts';
import { normalizeRepoUrl } from '../handle-webhook.ts';
import { loadSnapshot } from '../load-snapshot.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { type StateStore, stateOf } from '../state-store.ts';
import type { FetchContext } from './fetch-by-kind.ts';
import type { FetchOutcome } from './fetch-outcome.ts';
import { remoteAccessOf } from './source-access.ts';

export async function buildHelmChart(deps: PipelineDeps, ctx: FetchContext): Promise<FetchOutcome> {
  const fields = ctx.spec.helmChart as HelmChartFetchFields;
  const state = stateOf(deps);
  const origin = await originOf(deps, state, fields, ctx);
  // The chart's own cluster and namespace: where its dependencies' credentials are looked for.
  const { cluster, namespace } = fields.sourceRef;
  const chart = await deps.sources.charts.build({
    chart: fields.chart,
    version: fields.version,
    origin,
    valuesFiles: fields.valuesFiles,
    ignoreMissingValuesFiles: fields.ignoreMissingValuesFiles,
    reconcileStrategy: fields.reconcileStrategy,
    dependencies: {
      accessFor: (url) => repositoryAccess(state, cluster, namespace, url),
    },
    ...(ctx.state.commit && !ctx.repair && { lastDigest: ctx.state.commit }),
    // A build of another cluster or namespace may hold dependencies fetched with credentials this one lacks.
    scope: `${cluster}/${namespace}`,
  });
  return {
    kind: 'snapshot',
    revision: chart.revision,
    identity: chart.digest,
    snapshotDigest: chart.digest,
    dir: chart.dir,
    artifactDigest: chart.digest,
    chart: { name: chart.name, version: chart.version },
  };
}

async function originOf(
  deps: PipelineDeps,
  state: StateStore,
  fields: HelmChartFetchFields,
  ctx: FetchContext,
): Promise<ChartOrigin> {
  const { cluster, kind, namespace, name } = fields.sourceRef;
  const what = `${kind} '${namespace}/${name}'`;
  const record = await state.getClusterSource(cluster, { namespace, name }, kind);
  const upstreamSpec = record && (await state.getFetchSpec(record.sourceKey));
  if (!record || !upstreamSpec) {
    throw new SluiceError(
      'ReferenceNotFound',
      `spec.sourceRef: ${what} not found in cluster ${cluster}; declare it in the fleet (it is looked for again at the chart's interval)`,
      { retryable: true, field: 'spec.sourceRef' },
    );
  }
  // Its new revisions build this chart again.
  await state.addDependent(record.sourceKey, ctx.spec.sourceKey);
  const upstreamState = await state.getFetchState(record.sourceKey);
  if (upstreamSpec.kind === 'HelmRepository' && upstreamSpec.helmRepository?.type === 'oci') {
    return {
      kind: 'HelmRepository',
      type: 'oci',
      url: upstreamSpec.url,
      access: await remoteAccessOf(state, upstreamSpec),
    };
  }
  if (!upstreamState?.snapshotDigest) {
    const why = upstreamState?.error ? `: ${upstreamState.error.message}` : '; it will be built once it is';
    throw new SluiceError('ReferenceNotFound', `spec.sourceRef: ${what} has not been fetched yet${why}`, {
      retryable: !upstreamState?.error,
      field: 'spec.sourceRef',
    });
  }
  const dir = await loadSnapshot(deps, upstreamState, upstreamSpec, await ctx.declaredBy());
  if (upstreamSpec.kind === 'HelmRepository') {
    return {
      kind: 'HelmRepository',
      type: 'default',
      url: upstreamSpec.url,
      indexDir: dir,
      access: await remoteAccessOf(state, upstreamSpec),
    };
  }
  return {
    kind: upstreamSpec.kind === 'OCIRepository' ? 'OCIRepository' : 'GitRepository',
    dir,
    revision: upstreamState.revision ?? upstreamState.commit ?? '',
  };
}

/**
 * The access of the HelmRepository in the chart's namespace whose URL is this one, as Flux's dependency
 * manager looks it up: one in another namespace never lends its credentials (a tenant's chart would build
 * with the platform's). None: anonymous.
 */
async function repositoryAccess(
  state: StateStore,
  cluster: string,
  namespace: string,
  url: string,
): Promise<RemoteAccess | undefined> {
  const wanted = normalizeRepoUrl(url);
  const sources = await state.listClusterSources(cluster, 'HelmRepository');
  for (const { ref, record } of sources) {
    if (ref.namespace !== namespace) continue;
    const spec: FetchSpec | undefined = await state.getFetchSpec(record.sourceKey);
    if (spec && normalizeRepoUrl(spec.url) === wanted) return remoteAccessOf(state, spec);
  }
  return undefined;
}
