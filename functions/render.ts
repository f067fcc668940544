// Lambda: render jobs from the FIFO render queue (message group = cluster/Kustomization), with partial
// batch failures. It can sign, so it never runs kustomize: the tool sandbox function does (render-sandbox.ts).
import { KmsKeyService } from '../shared/adapters/aws/kms-key-service.ts';
import { loadCloudConfig } from '../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../shared/config/create-cloud-deps.ts';
import { createSandboxRenderDeps } from '../shared/config/sandbox-render-deps.ts';
import { renderJob } from '../shared/usecases/render-job.ts';
import { sqsFunction } from './middleware/sqs-function.ts';

export function createRenderHandler(factory: () => CloudDeps | Promise<CloudDeps>) {
  return sqsFunction(factory, 'render', (deps, job) => renderJob(deps.pipeline, job, deps.fleetSourceKey));
}

export const handler = createRenderHandler(() =>
  createCloudDeps(loadCloudConfig(), {
    keys: (kms, arn) => new KmsKeyService(kms, arn),
    render: (scratchDir, ctx) => createSandboxRenderDeps(scratchDir, ctx),
  }),
);
