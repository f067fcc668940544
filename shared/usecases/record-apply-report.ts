// Use-case: a puller's report about one Kustomization becomes its apply status, what `sluice status` shows.
import type { ApplyReport } from '../core/pipeline/jobs.ts';
import { stateKeys } from '../core/pipeline/state-keys.ts';
import { getJson, putJson } from '../ports/object-store.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export async function recordApplyReport(deps: PipelineDeps, report: ApplyReport): Promise<void> {
  if (!deps.settings.clusters.includes(report.cluster)) {
    deps.log.warn('report from an undeclared cluster ignored', { cluster: report.cluster });
    return;
  }
  const key = stateKeys.applyStatus(report.cluster, report.kustomization);
  const current = await getJson<ApplyReport>(deps.store, key);
  // Reports may arrive out of order: keep the newest.
  if (current && current.at > report.at) return;
  await putJson(deps.store, key, report);
}
