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
  /** Receives the deprecation notes of a Kustomization written in an older apiVersion (stderr in the CLI). */
  warn?: (line: string) => void;
}

export async function buildKustomization(args: BuildKustomizationArgs): Promise<string> {
  const path = resolve(args.path);
  if (!args.path || !existsSync(path) || !statSync(path).isDirectory()) {
    // flux build says "invalid resource path"; say which of the two it is.
    const what = args.path && existsSync(path) ? 'is not a directory' : 'not found';
    throw new SluiceError('UsageError', `invalid resource path ${JSON.stringify(path)}: ${what}`);
  }
  if (!args.kustomizationFile) {
    throw new SluiceError('UsageError', 'a kustomization file is required: pass --kustomization-file <file>');
  }
  const file = resolve(args.kustomizationFile);
  if (!existsSync(file) || statSync(file).isDirectory()) {
    throw new SluiceError(
      'UsageError',
      `invalid kustomization file ${JSON.stringify(args.kustomizationFile)}: ${existsSync(file) ? 'is a directory' : 'not found'}`,
    );
  }
  const { ks, writtenNamespace, others, notes } = findKustomization(
    readFileSync(file, 'utf8'),
    args.kustomizationFile,
    args.name,
    args.namespace,
  );
  for (const note of notes) args.warn?.(note);
  const gitRoot = args.root ? undefined : gitTopLevel(path);
  const root = args.root ? resolve(args.root) : (gitRoot ?? path);
  const rootFrom = args.root
    ? '--root'
    : gitRoot
      ? 'the enclosing Git work tree'
      : 'no Git work tree above --path, so --path itself';
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
  const render = (await createDeps('cli', { ...(args.kubectlPath && { kubectlPath: args.kubectlPath }) }))
    .render;
  const result = await renderKustomization(render, {
    ks: local,
    sourceRoot: root,
    configLookup: (kind, namespace, name) =>
      configs.find((c) => c.kind === kind && c.metadata.name === name && c.metadata.namespace === namespace),
    strict: args.strictSubstitute,
    allowRemoteBases: args.allowRemoteBases,
    ownerNamespace: writtenNamespace,
  }).catch((err: unknown) => {
    throw withCliHint(err, { root, rootFrom, file: args.kustomizationFile ?? '' });
  });
  return objectsToYaml(result.objects);
}

/**
 * What the control plane's message cannot say about a local build: which root the CLI chose (a file outside it
 * is refused), and that substituteFrom objects come from --kustomization-file, not from a cluster.
 */
function withCliHint(err: unknown, at: { root: string; rootFrom: string; file: string }): unknown {
  if (!(err instanceof SluiceError)) return err;
  let hint: string | undefined;
  if (err.code === 'PathEscapesRoot') {
    hint = `the repository root used was ${at.root} (${at.rootFrom}); pass --root <dir> with a directory that holds every file the build reads`;
  } else if (err.code === 'ReferenceNotFound' && err.field?.startsWith('spec.postBuild.substituteFrom')) {
    hint = `sluice build reads substituteFrom objects from the other documents of ${at.file}: put the object there, or pass --dry-run to skip substituteFrom`;
  }
  if (!hint) return err;
  return new SluiceError(err.code, `${err.message}; ${hint}`, {
    retryable: err.retryable,
    cause: err,
    ...(err.file && { file: err.file }),
    ...(err.object && { object: err.object }),
    ...(err.field && { field: err.field }),
  });
}

function gitTopLevel(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
