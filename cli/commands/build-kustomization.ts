// `sluice build kustomization NAME --path DIR --kustomization-file FILE`: flux build's flags and output,
// rendered with the real kustomize and no cluster or cloud account.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { ConfigData } from '../../shared/api/config-data.ts';
import { findKustomization } from '../../shared/api/find-kustomization.ts';
import { createDeps } from '../../shared/config/create-deps.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import { objectsToYaml } from '../../shared/core/render/yaml-codec.ts';
import { renderKustomization } from '../../shared/usecases/render-kustomization.ts';

export interface BuildKustomizationArgs {
  name: string;
  path: string;
  kustomizationFile?: string;
  namespace: string;
  strictSubstitute: boolean;
  dryRun: boolean;
  root?: string;
  allowRemoteBases: boolean;
  kubectlPath?: string;
}

export async function buildKustomization(args: BuildKustomizationArgs): Promise<string> {
  const path = resolve(args.path);
  if (!args.path || !existsSync(path) || !statSync(path).isDirectory()) {
    throw new SluiceError('UsageError', `invalid resource path ${JSON.stringify(path)}`);
  }
  if (!args.kustomizationFile) {
    throw new SluiceError('UsageError', 'a kustomization file is required: pass --kustomization-file <file>');
  }
  const file = resolve(args.kustomizationFile);
  if (!existsSync(file) || statSync(file).isDirectory()) {
    throw new SluiceError(
      'UsageError',
      `invalid kustomization file ${JSON.stringify(args.kustomizationFile)}`,
    );
  }
  const { ks, writtenNamespace, others } = findKustomization(
    readFileSync(file, 'utf8'),
    args.kustomizationFile,
    args.name,
    args.namespace,
  );
  const root = args.root ? resolve(args.root) : (gitTopLevel(path) ?? path);
  const relPath = relative(root, path);
  if (relPath.startsWith('..')) {
    throw new SluiceError(
      'UsageError',
      `--path ${args.path} is outside --root ${root}; pass a --root that contains it`,
    );
  }
  // --path is the build directory, as in flux build; spec.path only matters inside the control plane.
  const local = { ...ks, spec: { ...ks.spec, path: relPath } };
  if (args.dryRun && local.spec.postBuild?.substituteFrom) {
    // flux build --dry-run skips substituteFrom: only inline substitute variables apply.
    local.spec = { ...local.spec, postBuild: { ...local.spec.postBuild, substituteFrom: [] } };
  }
  const configs = others.filter((o): o is ConfigData => o.kind === 'ConfigMap' || o.kind === 'Secret');
  const result = await renderKustomization(
    (await createDeps('cli', { ...(args.kubectlPath && { kubectlPath: args.kubectlPath }) })).render,
    {
      ks: local,
      sourceRoot: root,
      configLookup: (kind, namespace, name) =>
        configs.find(
          (c) => c.kind === kind && c.metadata.name === name && c.metadata.namespace === namespace,
        ),
      strict: args.strictSubstitute,
      allowRemoteBases: args.allowRemoteBases,
      ownerNamespace: writtenNamespace,
    },
  );
  return objectsToYaml(result.objects);
}

function gitTopLevel(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
