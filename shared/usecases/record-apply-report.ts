// Use-case: a puller's report about one Kustomization becomes its apply status, what `sluice status` shows.
// The cluster is the channel's (only that cluster's puller can send to it), never what the report claims.
import { boundedFindings } from '../core/apply/drift.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import type { ApplyReport } from '../core/pipeline/jobs.ts';
import type { ClusterCapabilities } from '../core/pipeline/records.ts';
import { targetKey } from '../core/pipeline/target.ts';
import { enqueueRender } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { stateOf } from './state-store.ts';

/** How far ahead of the control plane's clock a puller's clock may run. */
export const CLOCK_SKEW_MS = 5 * 60_000;

const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export type ReportOutcome = 'recorded' | 'older' | 'refused';

export async function recordApplyReport(
  deps: PipelineDeps,
  channelCluster: string,
  report: ApplyReport,
): Promise<ReportOutcome> {
  const refuse = (why: string): ReportOutcome => {
    deps.log.warn(`apply report refused: ${why}`, {
      channel: channelCluster,
      target: targetKey(report.target),
    });
    return 'refused';
  };
  if (!deps.settings.clusters.includes(channelCluster))
    return refuse('it arrived on the channel of an undeclared cluster');
  if (report.cluster !== channelCluster)
    return refuse(
      `it names cluster '${String(report.cluster)}' but arrived on the channel of '${channelCluster}'`,
    );
  const { namespace, name } = report.target;
  if (!OBJECT_NAME.test(namespace) || !OBJECT_NAME.test(name))
    return refuse(`its ${report.target.kind} is not a valid namespace/name`);
  const at = typeof report.at === 'string' ? Date.parse(report.at) : Number.NaN;
  if (!Number.isFinite(at)) return refuse('its timestamp is not a date');
  if (at > deps.clock.now() + CLOCK_SKEW_MS) return refuse('its timestamp is in the future');
  const target = { kind: report.target.kind, namespace, name };
  const state = stateOf(deps);
  if (report.capabilities !== undefined) {
    const capabilities = checkCapabilities(report.capabilities);
    if (!capabilities) return refuse('its capabilities are not a version and a bounded list of API versions');
    await recordCapabilities(deps, channelCluster, capabilities);
  }
  const current = await state.getApplyStatus(channelCluster, target);
  // Reports may arrive out of order: keep the newest.
  if (current && Date.parse(current.at) > at) return 'older';
  const { capabilities: _reported, drift: _drift, conflicts: _conflicts, ...status } = report;
  await state.putApplyStatus(channelCluster, {
    ...status,
    ...boundedFindings(report),
    target,
    cluster: channelCluster,
    at: new Date(at).toISOString(),
  });
  // A HelmRelease's first report means its release exists: from now on it renders as an upgrade.
  if (!current && target.kind === 'HelmRelease') await enqueueRender(deps, channelCluster, target);
  return 'recorded';
}

const MAX_API_VERSIONS = 5000;
const API_VERSION = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}(\/[A-Za-z0-9.-]{1,63}){0,2}$/;

/** Only what Helm takes: a version string and group/version[/Kind] strings, bounded; else undefined. */
function checkCapabilities(c: unknown): ClusterCapabilities | undefined {
  const { kubeVersion, apiVersions } = (c ?? {}) as Record<string, unknown>;
  if (typeof kubeVersion !== 'string' || !/^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.+-]{0,64})?$/.test(kubeVersion))
    return undefined;
  if (!Array.isArray(apiVersions) || apiVersions.length > MAX_API_VERSIONS) return undefined;
  if (!apiVersions.every((v) => typeof v === 'string' && API_VERSION.test(v))) return undefined;
  return { kubeVersion, apiVersions: [...new Set(apiVersions as string[])].sort() };
}

/** Stored when it changed; then every HelmRelease of the cluster renders again against it. */
async function recordCapabilities(
  deps: PipelineDeps,
  cluster: string,
  capabilities: ClusterCapabilities,
): Promise<void> {
  const state = stateOf(deps);
  const known = await state.getCapabilities(cluster);
  if (known && canonicalJson(known) === canonicalJson(capabilities)) return;
  await state.putCapabilities(cluster, capabilities);
  for (const record of await state.listHelmReleaseRecords(cluster)) {
    const { namespace, name } = record.helmRelease.metadata;
    await enqueueRender(deps, cluster, { kind: 'HelmRelease', namespace, name });
  }
  deps.log.info('cluster capabilities changed', { cluster, kubeVersion: capabilities.kubeVersion });
}
