// Render dependencies of the cloud's render function: the guard and render core run here, but every
// kustomize and helm run goes to the tool sandbox function (no role permissions, no settings), lent the
// workspace (or the chart and values) through pre-signed URLs. Without the sandbox function configured,
// the render function refuses to render.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaSandboxInvoker } from '../adapters/aws/lambda-sandbox-invoker.ts';
import { s3Presigner } from '../adapters/aws/s3-presigner.ts';
import { SandboxHelm } from '../adapters/aws/sandbox-helm.ts';
import { SandboxKustomize } from '../adapters/aws/sandbox-kustomize.ts';
import { fsTreeReader } from '../adapters/local/fs-tree-reader.ts';
import { MemoryRenderCache } from '../adapters/local/memory-render-cache.ts';
import { publicRemoteBases } from '../adapters/net/remote-base-policy.ts';
import { LocalHelmTemplate } from '../adapters/render/local-helm-template.ts';
import { OverlayWorkspaces } from '../adapters/render/overlay-workspaces.ts';
import { PINNED_TOOLS } from '../adapters/render/pinned-tools.ts';
import { SluiceError } from '../core/errors.ts';
import type { RenderDeps } from '../usecases/render-kustomization.ts';
import type { RenderContext } from './create-cloud-deps.ts';
import { createSopsKeyring } from './sops-keyring.ts';

export function createSandboxRenderDeps(scratchDir: string, ctx: RenderContext): RenderDeps {
  const functionName = ctx.config.renderSandboxFunction;
  if (!functionName) {
    throw new SluiceError(
      'ConfigInvalid',
      'SLUICE_RENDER_SANDBOX_FUNCTION is not set: the render function never runs kustomize itself; deploy the RenderSandbox function with the stacks',
    );
  }
  const sandbox = {
    store: ctx.store,
    presign: s3Presigner(ctx.s3, ctx.config.bucket),
    invoke: lambdaSandboxInvoker(new LambdaClient({ region: ctx.config.region }), functionName),
  };
  const kustomize = new SandboxKustomize({ version: PINNED_TOOLS.kubectl.version, ...sandbox });
  return {
    tree: fsTreeReader,
    workspaces: new OverlayWorkspaces(scratchDir),
    kustomize,
    // Post-renderers are kustomize builds, so they go to the sandbox function too.
    helm: new LocalHelmTemplate({
      helm: new SandboxHelm({ version: PINNED_TOOLS.helm.version, scratchDir, ...sandbox }),
      kustomize,
      scratchDir,
    }),
    cache: new MemoryRenderCache(),
    remotePolicy: publicRemoteBases(ctx.config.allowedSourceHosts ?? [], 'SLUICE_ALLOWED_SOURCE_HOSTS'),
    // Decryption runs here, with the function role's KMS access; the sandbox only ever sees plaintext files.
    sops: createSopsKeyring({ kms: true }),
  };
}
