// Lambda: status events from pullers (the events queue) become apply status. Providers (Slack, Teams,
// commit status) hang off here next; for now every event is also logged.
import { loadCloudConfig } from '../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../shared/config/create-cloud-deps.ts';
import { recordApplyReport } from '../shared/usecases/record-apply-report.ts';
import { sqsFunction } from './middleware/sqs-function.ts';

export function createNotifyHandler(factory: () => CloudDeps | Promise<CloudDeps>) {
  return sqsFunction(factory, 'apply-report', async ({ pipeline }, job) => {
    const { kustomization: ks } = job;
    pipeline.log.info('apply report', {
      cluster: job.cluster,
      kustomization: `${ks.namespace}/${ks.name}`,
      ready: job.ready,
      reason: job.reason,
    });
    await recordApplyReport(pipeline, job);
  });
}

export const handler = createNotifyHandler(() => createCloudDeps(loadCloudConfig()));
