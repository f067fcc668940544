// Use-case: render one Kustomization from a materialised source tree exactly as kustomize-controller
// would. A visible list of named steps; each failure carries one reason code.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { type Kustomization, SOPS_VERIFY_MAC_ANNOTATION } from '../api/kustomization.ts';
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
import { keysSecretWarnings, USED_ENTRIES } from '../core/render/sops-keys-secret.ts';
import { sopsSourceFiles } from '../core/render/sops-source-files.ts';
import { type ConfigLookup, loadVariables } from '../core/render/substitute.ts';
import type { TreeReader } from '../core/render/tree-reader.ts';
import { type KubeObject, objectsToYaml, parseYaml11, splitDocuments } from '../core/render/yaml-codec.ts';
import type { BuildWorkspaces } from '../ports/build-workspace.ts';
import type { HelmTemplate } from '../ports/helm-template.ts';
import type { KustomizeRunner } from '../ports/kustomize-runner.ts';
import type { RenderCache } from '../ports/render-cache.ts';
import type { SopsKeyring } from '../ports/sops-keyring.ts';
import { FluxDecryptor, refuseEncryptedSecrets } from './sops/flux-decryptor.ts';

export interface RenderDeps {
  tree: TreeReader;
  workspaces: BuildWorkspaces;
  kustomize: KustomizeRunner;
  /** HelmRelease renders; absent where only Kustomizations render (the CLI's build kustomization). */
  helm?: HelmTemplate;
  cache?: RenderCache;
  /** Checks each remote reference's host (public addresses only); required once remote bases are enabled. */
  remotePolicy?: RemotePolicy;
  /** SOPS keys for spec.decryption; without it a Kustomization that asks for decryption is refused. */
  sops?: SopsKeyring;
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
  /** For the status: e.g. entries of the decryption Secret that Sluice does not use (cached renders too). */
  warnings: string[];
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
  const decryption = ks.spec.decryption ? decryptionSettings(deps, req) : undefined;

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
    ...(decryption && { decryption: { keys: decryption.keysDigest, verifyMac: decryption.verifyMac } }),
  });
  const cached = req.sourceDigest && deps.cache ? await deps.cache.get(key) : undefined;
  const warnings = decryption?.warnings ?? [];
  if (cached !== undefined)
    return { key, objects: JSON.parse(cached) as KubeObject[], cached: true, warnings };

  // 6. decrypt generator and patch files (Flux's DecryptSources), checking resources' MACs as committed
  const decryptor = decryption && (await decryption.decryptor());
  // Data keys unwrapped once per file for this render (a resource is read twice: its MAC, then its object).
  try {
    const plainFiles = new Map<string, Buffer>();
    if (decryptor) {
      for (const file of sopsSourceFiles(deps.tree, req.sourceRoot, dirPath, kustomization)) {
        if (file.role === 'decrypt')
          plainFiles.set(file.rel, await decryptor.decryptFile(file.text, file.format, file.rel));
        else if (decryption.verifyMac) await decryptor.decrypt(file.text, file.format, file.format, file.rel);
      }
    }

    // 7. build with the real kustomize in a scratch overlay (kustomize sees plaintext files, never a key)
    const workspace = await deps.workspaces.open(req.sourceRoot, relPath);
    let output: string;
    try {
      for (const [rel, text] of plainFiles) await workspace.replaceSourceFile(rel, text);
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

    // 8. decrypt objects carrying sops metadata, then substitute variables and add owner labels, in Flux's order
    if (decryptor) output = objectsToYaml(await decryptor.decryptObjects(parseOutput(output, ref)));
    const objects = postProcess(output, {
      ks,
      vars,
      strict,
      ...(req.ownerNamespace !== undefined && { ownerNamespace: req.ownerNamespace }),
      ...(addOrigins && { originsFrom: relPath }),
    });
    refuseEncryptedSecrets(objects, ref, decryptor !== undefined);
    if (req.sourceDigest && deps.cache) await deps.cache.put(key, JSON.stringify(objects));
    return { key, objects, cached: false, warnings };
  } finally {
    decryptor?.dispose();
  }
}

interface DecryptionSettings {
  keysDigest: string;
  verifyMac: boolean;
  /** The keys Secret's entries Sluice does not use, by name. */
  warnings: string[];
  decryptor(): Promise<FluxDecryptor>;
}

/** The keys Secret (as this cluster's configs hold it) and the MAC choice; the key sources load lazily. */
function decryptionSettings(deps: RenderDeps, req: RenderRequest): DecryptionSettings {
  const { ks } = req;
  const ref = objectRef('Kustomization', ks.metadata);
  const secretName = ks.spec.decryption?.secretRef?.name;
  const secret = secretName ? req.configLookup('Secret', ks.metadata.namespace, secretName) : undefined;
  const secretRef = `Secret ${ks.metadata.namespace}/${secretName}`;
  if (secretName && !secret) {
    throw new SluiceError(
      'ValidationFailed',
      `${ref}: spec.decryption.secretRef: ${secretRef} was not found among the fleet's Secrets for this cluster; add it (entries ${USED_ENTRIES}) or fix the name`,
      { object: ref, field: 'spec.decryption.secretRef' },
    );
  }
  const keyring = deps.sops;
  const hash = createHash('sha256');
  for (const name of Object.keys(secret?.data ?? {}).sort()) {
    hash.update(`${name}\0`);
    hash.update(
      createHash('sha256')
        .update(secret?.data[name] ?? '')
        .digest(),
    );
  }
  const keyHint = secretName
    ? `add the missing key to ${secretRef} (${USED_ENTRIES})`
    : `set spec.decryption.secretRef to a Secret holding the keys (${USED_ENTRIES})`;
  const verifyMac = ks.metadata.annotations?.[SOPS_VERIFY_MAC_ANNOTATION] !== 'false';
  return {
    keysDigest: `sha256:${hash.digest('hex')}`,
    verifyMac,
    warnings: secret ? keysSecretWarnings(Object.keys(secret.data), secretRef) : [],
    async decryptor() {
      if (!keyring) {
        throw new SluiceError(
          'ValidationFailed',
          `${ref}: spec.decryption: this Sluice process has no SOPS keyring configured; render it with the control plane`,
          { object: ref, field: 'spec.decryption' },
        );
      }
      const sources = await keyring.keySources(secret?.data, secretRef).catch((err: unknown) => {
        if (!(err instanceof SluiceError)) throw err;
        throw new SluiceError(err.code, `${ref}: spec.decryption.secretRef: ${err.message}`, {
          object: ref,
          field: 'spec.decryption.secretRef',
          cause: err,
        });
      });
      return new FluxDecryptor({ ref, sources, verifyMac, keyHint });
    },
  };
}

function parseOutput(output: string, ref: string): KubeObject[] {
  return splitDocuments(output).map((text, i) => {
    const parsed = parseYaml11(text);
    if ('error' in parsed)
      throw new SluiceError(
        'BuildFailed',
        `${ref}: object ${i + 1} of the build output is not valid YAML: ${parsed.error}`,
        {
          object: ref,
        },
      );
    return parsed.value as KubeObject;
  });
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
