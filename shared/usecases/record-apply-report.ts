// Use-case: a puller's report about one Kustomization becomes its apply status, what `sluice status` shows.
// The cluster is the channel's (only that cluster's puller can send to it), never what the report claims.
import type { ApplyReport } from '../core/pipeline/jobs.ts';
import { targetKey } from '../core/pipeline/target.ts';
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
  const current = await state.getApplyStatus(channelCluster, target);
  // Reports may arrive out of order: keep the newest.
  if (current && Date.parse(current.at) > at) return 'older';
  await state.putApplyStatus(channelCluster, {
    ...report,
    target,
    cluster: channelCluster,
    at: new Date(at).toISOString(),
  });
  return 'recorded';
}
