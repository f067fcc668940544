// Queues: FIFO fetch (group = source) and render (group = cluster/Kustomization), and per cluster a queue
// its puller reads and a reports queue only it may send to; each with a dead-letter queue and an alarm.
import { queueNames, stagePrefix } from '../shared/core/pipeline/resource-names.ts';
import type { Infra } from './infra.ts';

export function queues(infra: Infra, opts: { clusters: string[]; alarmEmail?: string }) {
  const { aws } = infra;
  // The runtime derives the same names from SLUICE_QUEUE_PREFIX (= prefix) with the same function.
  const prefix = stagePrefix(infra.stage);
  const names = queueNames(prefix);
  const topic = new aws.sns.Topic('DeadLetterAlarms', {});
  if (opts.alarmEmail)
    new aws.sns.TopicSubscription('DeadLetterAlarmsEmail', {
      topic: topic.arn,
      protocol: 'email',
      endpoint: opts.alarmEmail,
    });
  /** `label`: how the alarm names the queue; `queueName`: one of `names`, FIFO when it ends in .fifo. */
  const make = (id: string, label: string, queueName: string, visibilityTimeoutSeconds: number) => {
    const fifo = queueName.endsWith('.fifo');
    const dlq = new aws.sqs.Queue(`${id}Dlq`, {
      name: names.deadLetter(queueName),
      fifoQueue: fifo,
      messageRetentionSeconds: 1_209_600,
    });
    const queue = new aws.sqs.Queue(id, {
      name: queueName,
      fifoQueue: fifo,
      ...(fifo && { deduplicationScope: 'messageGroup', fifoThroughputLimit: 'perMessageGroupId' }),
      visibilityTimeoutSeconds,
      receiveWaitTimeSeconds: 20,
      // Sluice dead-letters with a reason itself; this is the backstop for crashes.
      redrivePolicy: dlq.arn.apply((arn) =>
        JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 10 }),
      ),
    });
    new aws.cloudwatch.MetricAlarm(`${id}DlqAlarm`, {
      alarmDescription: `Sluice ${label}: messages in the dead-letter queue (see their code and reason attributes)`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: dlq.name },
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [topic.arn],
    });
    return { queue, dlq };
  };
  return {
    prefix,
    fetch: make('FetchQueue', 'fetch', names.fetch, 900),
    render: make('RenderQueue', 'render', names.render, 900),
    clusters: Object.fromEntries(
      opts.clusters.map((c) => [c, make(`Cluster${pascal(c)}Queue`, `cluster-${c}`, names.cluster(c), 120)]),
    ),
    reports: Object.fromEntries(
      opts.clusters.map((c) => [c, make(`Reports${pascal(c)}Queue`, `reports-${c}`, names.reports(c), 120)]),
    ),
    alarms: topic,
  };
}

export function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, ch: string) => ch.toUpperCase());
}
