// Lambda: apply reports from pullers (one reports queue per cluster) become apply status. The cluster is
// the queue's, never the report's. Providers (Slack, Teams, commit status) hang off here next.
import { loadCloudConfig } from '../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../shared/config/create-cloud-deps.ts';
import { targetKey } from '../shared/core/pipeline/target.ts';
import { recordApplyReport } from '../shared/usecases/record-apply-report.ts';
import { sqsFunction } from './middleware/sqs-function.ts';

export function createNotifyHandler(factory: () => CloudDeps | Promise<CloudDeps>) {
  return sqsFunction(factory, 'apply-report', async ({ pipeline }, job, { queue }) => {
    const cluster = pipeline.queues.clusterOfReports(queue);
    if (!cluster) {
      pipeline.log.warn('apply report on a queue that is no cluster reports channel ignored', { queue });
      return;
    }
    const outcome = await recordApplyReport(pipeline, cluster, job);
    pipeline.log.info('apply report', {
      cluster,
      target: targetKey(job.target),
      ready: job.ready,
      reason: job.reason,
      outcome,
    });
  });
}

export const handler = createNotifyHandler(() => createCloudDeps(loadCloudConfig()));
