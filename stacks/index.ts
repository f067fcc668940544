// Sluice's AWS deployment: validate the configuration, then keys, storage, queues, functions and puller
// roles. Returns the outputs `sst deploy` prints (webhook URL, puller role ARNs, signing key).
import type { Input } from '@pulumi/pulumi';
import { type SecuritySettings, type SluiceStackConfig, validateStackConfig } from './config.ts';
import { functionRoles, functions } from './functions.ts';
import type { Infra } from './infra.ts';
import { keys } from './keys.ts';
import { pullers } from './pullers.ts';
import { queues } from './queues.ts';
import { storage } from './storage.ts';

export function deploy(raw: SluiceStackConfig, infra: Infra) {
  const config = validateStackConfig(raw);
  const { pulumi } = infra;
  const clusterNames = config.clusters.map((c) => c.name);
  const roles = functionRoles(infra);
  const kms = keys(infra, { sopsKeyArns: config.sopsKeyArns, renderRoleArn: roles.render.arn });
  const { bucket } = storage(infra, { dataKeyArn: kms.data.arn, retentionDays: config.retentionDays });
  const q = queues(infra, {
    clusters: clusterNames,
    ...(config.alarmEmail && { alarmEmail: config.alarmEmail }),
  });
  const queueArns = pulumi.all([q.fetch.queue.arn, q.render.queue.arn, q.fetch.dlq.arn, q.render.dlq.arn]);
  const perCluster = (pick: (c: string) => Input<string> | undefined) =>
    pulumi.all(clusterNames.map((c) => pick(c) ?? ''));
  const clusterQueueArns = pulumi.all([
    perCluster((c) => q.clusters[c]?.queue.arn),
    perCluster((c) => q.reports[c]?.queue.arn),
    perCluster((c) => q.reports[c]?.dlq.arn),
  ]);
  const byCluster = (values: string[]) =>
    Object.fromEntries(clusterNames.map((c, i) => [c, values[i] ?? '']));
  const arns = pulumi
    .all([bucket.arn, queueArns, clusterQueueArns, kms.signing.arn, kms.data.arn])
    .apply(
      ([
        bucketArn,
        [fetch, render, fetchDlq, renderDlq],
        [clusterArns, reportArns, reportDlqArns],
        signingKey,
        dataKey,
      ]) => ({
        bucket: bucketArn,
        queues: { fetch, render, fetchDlq, renderDlq },
        clusterQueues: byCluster(clusterArns),
        reportQueues: byCluster(reportArns),
        reportDlqs: byCluster(reportDlqArns),
        signingKey,
        dataKey,
        sopsKeys: config.sopsKeyArns,
        ecrRepositories: config.ecrRepositories,
        sourceBuckets: config.sourceBuckets,
      }),
    );
  const fns = functions(infra, {
    roles,
    arns,
    queueArns: {
      fetch: q.fetch.queue.arn,
      render: q.render.queue.arn,
      reports: Object.fromEntries(Object.entries(q.reports).map(([c, v]) => [c, v.queue.arn])),
    },
    environment: {
      SLUICE_BUCKET: bucket.bucket,
      SLUICE_QUEUE_PREFIX: q.prefix,
      SLUICE_SIGNING_KEY_ARN: kms.signing.arn,
      SLUICE_DATA_KEY_ARN: kms.data.arn,
      SLUICE_CLUSTERS: clusterNames.join(','),
      ...clusterRootsEnvironment(config.clusters),
      SLUICE_FLEET_URL: config.fleet.url,
      SLUICE_FLEET_BRANCH: config.fleet.branch ?? 'main',
      SLUICE_FLEET_INTERVAL_MS: String((config.fleet.intervalMinutes ?? 1) * 60_000),
      SLUICE_WEBHOOK_SECRET: infra.webhookSecret,
      ...(infra.rollbackSecret !== undefined && { SLUICE_ROLLBACK_SECRET: infra.rollbackSecret }),
      ...securityEnvironment(config.security),
    },
  });
  const pullerRoles = pullers(infra, { clusters: config.clusters, arns });
  return {
    webhookUrl: fns.webhook.url,
    bucket: bucket.bucket,
    signingKeyArn: kms.signing.arn,
    queuePrefix: q.prefix,
    pullerRoleArns: Object.fromEntries(Object.entries(pullerRoles).map(([c, r]) => [c, r.arn])),
    clusterQueues: Object.fromEntries(Object.entries(q.clusters).map(([c, v]) => [c, v.queue.name])),
    reportQueues: Object.fromEntries(Object.entries(q.reports).map(([c, v]) => [c, v.queue.name])),
  };
}

/** The functions' view of `security` (read by shared/config/cloud-config.ts); unset means the default. */
function securityEnvironment(sec: SecuritySettings): Record<string, string> {
  const env: Record<string, string> = {};
  if (sec.noCrossNamespaceRefs !== undefined)
    env.SLUICE_NO_CROSS_NAMESPACE_REFS = String(sec.noCrossNamespaceRefs);
  if (sec.allowRemoteBases !== undefined) env.SLUICE_ALLOW_REMOTE_BASES = String(sec.allowRemoteBases);
  if (sec.allowedSourceHosts?.length) env.SLUICE_ALLOWED_SOURCE_HOSTS = sec.allowedSourceHosts.join(',');
  if (sec.maxObjectsPerRender !== undefined)
    env.SLUICE_MAX_OBJECTS_PER_RENDER = String(sec.maxObjectsPerRender);
  if (sec.maxChildrenPerKustomization !== undefined)
    env.SLUICE_MAX_CHILDREN_PER_KUSTOMIZATION = String(sec.maxChildrenPerKustomization);
  return env;
}

/** clusters[].fleet, keyed by cluster, for the functions (cloud-config.ts reads SLUICE_CLUSTER_ROOTS). */
function clusterRootsEnvironment(clusters: SluiceStackConfig['clusters']): Record<string, string> {
  const roots = Object.fromEntries(clusters.filter((c) => c.fleet).map((c) => [c.name, c.fleet]));
  return Object.keys(roots).length > 0 ? { SLUICE_CLUSTER_ROOTS: JSON.stringify(roots) } : {};
}
