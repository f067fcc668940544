// Use-case: render one Kustomization from a materialised source tree exactly as kustomize-controller
// would. A visible list of named steps; each failure carries one reason code.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { Kustomization } from '../api/kustomization.ts';
import { objectRef } from '../api/object-meta.ts';
import { SluiceError } from '../core/errors.ts';
import { normalizeInside } from '../core/paths/secure-join.ts';
import { findKustomizationFile, scanManifests } from '../core/render/generate-resources.ts';
import {
  type BuildInputs,
  guardKustomizeTree,
  parseKustomization,
} from '../core/render/guard-kustomize-tree.ts';
import { locateError } from '../core/render/locate-error.ts';
import { mergeKustomization } from '../core/render/merge-kustomization.ts';
import { missingFileHint } from '../core/render/missing-file.ts';
import { postProcess } from '../core/render/post-process.ts';
import { renderKey } from '../core/render/render-key.ts';
import { type ConfigLookup, loadVariables } from '../core/render/substitute.ts';
import type { TreeReader } from '../core/render/tree-reader.ts';
import type { KubeObject } from '../core/render/yaml-codec.ts';
import type { BuildWorkspaces } from '../ports/build-workspace.ts';
import type { HelmTemplate } from '../ports/helm-template.ts';
import type { KustomizeRunner } from '../ports/kustomize-runner.ts';
import type { RenderCache } from '../ports/render-cache.ts';

export interface RenderDeps {
  tree: TreeReader;
  workspaces: BuildWorkspaces;
  kustomize: KustomizeRunner;
  /** HelmRelease renders; absent where only Kustomizations render (the CLI's build kustomization). */
  helm?: HelmTemplate;
  cache?: RenderCache;
  /** Checks each remote reference's host (public addresses only); required once remote bases are enabled. */
  remotePolicy?: RemotePolicy;
}

export interface RemotePolicy {
  /** Throws a typed error naming the reference when its host is not allowed. */
  assertAllowed(ref: string): Promise<void>;
}

export interface RenderRequest {
  ks: Kustomization;
  /** Absolute path of the materialised source (repository root). */
  sourceRoot: string;
  /** Identity of the source content (e.g. commit + ignore rules); without it the cache is bypassed. */
  sourceDigest?: string;
  configLookup: ConfigLookup;
  /** Flux's StrictPostBuildSubstitutions, on by default since kustomize-controller v1.9.0. */
  strict?: boolean;
  allowRemoteBases?: boolean;
  /** Name the repository file of each Flux object in the output (the control plane's error messages). */
  sourceFiles?: boolean;
  /** `flux build` labels objects with the namespace as written in the file, even when empty. */
  ownerNamespace?: string;
}

export interface RenderResult {
  key: string;
  /** Objects in kustomize order, after substitution and labelling. */
  objects: KubeObject[];
  cached: boolean;
}

/** Renders `req.ks`; a failure names its file and object first, whichever step raised it. */
export function renderKustomization(deps: RenderDeps, req: RenderRequest): Promise<RenderResult> {
  return renderSteps(deps, req).catch((err: unknown) => {
    throw locateError(err, req.ks);
  });
}

async function renderSteps(deps: RenderDeps, req: RenderRequest): Promise<RenderResult> {
  const { ks } = req;
  const ref = objectRef('Kustomization', ks.metadata);
  const strict = req.strict ?? true;
  const allowRemoteBases = req.allowRemoteBases ?? false;

  // 1. resolve the path inside the source
  const relPath = normalizeInside(ks.spec.path ?? '');
  if (relPath === undefined) {
    throw new SluiceError(
      'PathEscapesRoot',
      `${ref}: spec.path ${JSON.stringify(ks.spec.path)} points outside the repository; use a path relative to the repository root`,
      { object: ref, field: 'spec.path' },
    );
  }
  const dirPath = relPath ? `${req.sourceRoot}/${relPath}` : req.sourceRoot;
  if (deps.tree.stat(dirPath) !== 'dir') {
    throw new SluiceError(
      'PathNotFound',
      `${ref}: spec.path: kustomization path not found: ${JSON.stringify(ks.spec.path ?? './')} does not exist in the source; fix spec.path or commit the directory`,
      { object: ref, field: 'spec.path' },
    );
  }

  // 2. variables for postBuild (fails early on a missing substituteFrom)
  const vars = ks.spec.postBuild ? loadVariables(ks, req.configLookup) : new Map<string, string>();

  // 3. find or generate the kustomization file, then merge the spec into it
  const existingFile = findKustomizationFile(deps.tree, dirPath);
  const display = relPath || '.';
  const kustomization = mergeKustomization({
    existing: existingFile
      ? parseKustomization(deps.tree.readText(existingFile), `${display}/${basename(existingFile)}`)
      : undefined,
    generatedResources: existingFile ? [] : scanManifests(deps.tree, dirPath, relPath),
    spec: ks.spec,
    componentExists: (c) => deps.tree.stat(`${dirPath}/${c}`) !== 'missing',
    objectRef: ref,
  });

  // Where each child Flux object was declared, for errors about it; a fleet that asked for the
  // annotations itself (as Flux does in one case) keeps them on what it ships.
  const buildMetadata = Array.isArray(kustomization.buildMetadata) ? kustomization.buildMetadata : [];
  const addOrigins = req.sourceFiles === true && !buildMetadata.includes('originAnnotations');
  if (addOrigins) kustomization.buildMetadata = [...buildMetadata, 'originAnnotations'];

  // 4. refuse remote bases and references that leave the repository
  const inputs = guardKustomizeTree(deps.tree, dirPath, kustomization, {
    root: req.sourceRoot,
    allowRemoteBases,
  });
  for (const remote of inputs.remotes) {
    if (!deps.remotePolicy) {
      throw new SluiceError(
        'RemoteBaseDisabled',
        `${ref}: remote reference ${JSON.stringify(remote)} cannot be checked (no address policy configured); vendor it into the repository`,
        { object: ref },
      );
    }
    await deps.remotePolicy.assertAllowed(remote);
  }

  const files = buildFiles(deps.tree, inputs);

  // 5. reuse an identical render
  // Keyed by what the build can read, not the whole commit: a commit that touches other paths renders
  // nothing again. Only the control plane (which passes sourceDigest) uses the cache.
  const key = renderKey({
    engine: deps.kustomize.version,
    sourceDigest: req.sourceDigest ? inputsDigest(deps.tree, req.sourceRoot, files) : '',
    path: relPath,
    kustomization,
    owner: { name: ks.metadata.name, namespace: ks.metadata.namespace },
    postBuild: ks.spec.postBuild !== undefined,
    vars,
    strict,
    allowRemoteBases,
    ownerNamespace: req.ownerNamespace ?? null,
  });
  const cached = req.sourceDigest && deps.cache ? await deps.cache.get(key) : undefined;
  if (cached !== undefined) return { key, objects: JSON.parse(cached) as KubeObject[], cached: true };

  // 6. build with the real kustomize in a scratch overlay
  const workspace = await deps.workspaces.open(req.sourceRoot, relPath);
  let output: string;
  try {
    await workspace.writeFile(
      existingFile ? basename(existingFile) : 'kustomization.yaml',
      stringify(kustomization),
    );
    output = await deps.kustomize.build(workspace.buildDir, {
      allowRemoteBases,
      displayPaths: { [workspace.root]: '', [req.sourceRoot]: '' },
      // The tool sees the scratch overlay and the snapshot it links into, nothing else on the host.
      readable: [workspace.root, req.sourceRoot],
      inputs: files,
    });
  } catch (err) {
    if (
      err instanceof SluiceError &&
      (err.code === 'KustomizeFailed' || err.code === 'RenderLimitExceeded')
    ) {
      const missing = err.code === 'KustomizeFailed' ? missingFileHint(err.message) : undefined;
      throw new SluiceError(err.code, `${ref}: ${err.message}${missing ? `; ${missing}` : ''}`, {
        object: ref,
        cause: err,
      });
    }
    throw err;
  } finally {
    await workspace.dispose();
  }

  // 7. substitute variables and add owner labels, in Flux's order
  const objects = postProcess(output, {
    ks,
    vars,
    strict,
    ...(req.ownerNamespace !== undefined && { ownerNamespace: req.ownerNamespace }),
    ...(addOrigins && { originsFrom: relPath }),
  });
  if (req.sourceDigest && deps.cache) await deps.cache.put(key, JSON.stringify(objects));
  return { key, objects, cached: false };
}

/** sha256 over every file directly in the visited kustomization directories plus each referenced file. */
function buildFiles(tree: TreeReader, inputs: BuildInputs): string[] {
  const files = new Set(inputs.files);
  for (const dir of inputs.dirs) {
    for (const entry of tree.list(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.type === 'file' || (entry.type === 'symlink' && tree.stat(path) === 'file')) files.add(path);
    }
  }
  return [...files].sort();
}

function inputsDigest(tree: TreeReader, root: string, files: string[]): string {
  const hash = createHash('sha256');
  for (const path of files) {
    hash.update(`${path.slice(root.length)}\0`);
    hash.update(createHash('sha256').update(tree.readText(path)).digest());
  }
  return `sha256:${hash.digest('hex')}`;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
