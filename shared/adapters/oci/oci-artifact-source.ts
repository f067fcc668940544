// OCIRepository fetch as source-controller does it: pick the manifest spec.ref names, skip everything when it
// is the one fetched last, else download the selected layer and extract it (safe tar.gz) or copy it, apply
// .sourceignore and spec.ignore, and keep the file set read-only under <cacheDir>/snapshots/<digest>.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveLimits } from '../../core/archive/archive-limits.ts';
import { SluiceError } from '../../core/errors.ts';
import { SourceIgnore } from '../../core/git/source-ignore.ts';
import { assertReference, parseOciUrl } from '../../core/oci/oci-url.ts';
import { ociRevision, planOciRef, selectSemverTag } from '../../core/oci/select-oci-ref.ts';
import type {
  OciArtifactRequest,
  OciArtifactSnapshot,
  OciArtifactSource,
  OciDescriptor,
  OciLayerSelector,
  OciManifest,
  OciRegistryClient,
} from '../../ports/oci-registry.ts';
import { extractTarGz } from '../archive/tar-gz.ts';
import { materializeReadOnly, pathExists } from '../local/read-only-file-set.ts';

const MiB = 1024 * 1024;

export interface OciArtifactLimits {
  /** Largest layer downloaded (compressed, as the registry stores it). */
  maxLayerBytes: number;
  /** What an extracted layer may hold (files, bytes, inflation). */
  archive: Partial<ArchiveLimits>;
}

export const DEFAULT_OCI_ARTIFACT_LIMITS: OciArtifactLimits = { maxLayerBytes: 256 * MiB, archive: {} };

export interface OciArtifactSourceOptions {
  cacheDir: string;
  client: OciRegistryClient;
  limits?: Partial<OciArtifactLimits>;
}

/** The file a `copy` layer is stored as: source-controller's name, the revision's digest with `.tgz`. */
export function copiedLayerFile(manifestDigest: string): string {
  return `${manifestDigest}.tgz`;
}

export class RegistryOciArtifactSource implements OciArtifactSource {
  private readonly cacheDir: string;
  private readonly client: OciRegistryClient;
  private readonly limits: OciArtifactLimits;

  constructor(opts: OciArtifactSourceOptions) {
    this.cacheDir = opts.cacheDir;
    this.client = opts.client;
    this.limits = { ...DEFAULT_OCI_ARTIFACT_LIMITS, ...opts.limits };
  }

  async fetch(req: OciArtifactRequest): Promise<OciArtifactSnapshot> {
    const { host, repository } = parseOciUrl(req.url);
    const url = `oci://${host}/${repository}`;
    const plan = planOciRef(req.ref);
    let tag: string | undefined;
    let reference: string;
    if (plan.kind === 'digest') {
      assertReference(plan.digest, 'spec.ref.digest');
      reference = plan.digest;
    } else if (plan.kind === 'semver') {
      const tags = await this.client.listTags(url, req.access);
      tag = selectSemverTag(tags, plan, req.layerSelector?.mediaType, url);
      reference = tag;
    } else {
      assertReference(plan.tag, 'spec.ref.tag');
      tag = plan.tag;
      reference = tag;
    }
    const resolved = await this.client.resolve(url, reference, req.access);
    const digest = `sha256:${sha256(JSON.stringify(['oci', resolved.digest, selectorKey(req.layerSelector), req.ignore ?? '']))}`;
    const dir = join(this.cacheDir, 'snapshots', digest.slice('sha256:'.length));
    const snapshot: OciArtifactSnapshot = {
      url,
      revision: ociRevision(plan, tag, resolved.digest),
      manifestDigest: resolved.digest,
      digest,
      dir,
      changed: req.lastDigest !== resolved.digest,
    };
    // Content-addressed: a file set made once for this manifest and selection is the same every time.
    if (await pathExists(dir)) return snapshot;
    const layer = selectLayer(resolved.manifest, req.layerSelector, url);
    const blob = await this.client.fetchBlob(url, layer, req.access, this.limits.maxLayerBytes);
    await materializeReadOnly(dir, async (tmp) => {
      if ((req.layerSelector?.operation ?? 'extract') === 'copy') {
        await writeFile(join(tmp, copiedLayerFile(resolved.digest)), blob);
        return;
      }
      await extractTarGz(blob, tmp, this.limits.archive);
      await applyIgnore(tmp, req.ignore);
    });
    return snapshot;
  }
}

/** source-controller's choice: the first layer, or the first of `mediaType`. */
export function selectLayer(
  manifest: OciManifest,
  selector: OciLayerSelector | undefined,
  url: string,
): OciDescriptor {
  const first = manifest.layers[0];
  if (!first) {
    throw new SluiceError(
      'ArtifactNotFound',
      `the artifact at ${url} has no layers; push it with flux push artifact`,
      {
        field: 'spec.ref',
      },
    );
  }
  if (!selector?.mediaType) return first;
  const found = manifest.layers.find((l) => l.mediaType === selector.mediaType);
  if (found) return found;
  const present = [...new Set(manifest.layers.map((l) => l.mediaType))].join(', ');
  throw new SluiceError(
    'ArtifactNotFound',
    `the artifact at ${url} has no layer of media type ${selector.mediaType} (its layers are: ${present}); fix spec.layerSelector.mediaType`,
    { field: 'spec.layerSelector.mediaType' },
  );
}

function selectorKey(selector: OciLayerSelector | undefined): string {
  return `${selector?.mediaType ?? ''}|${selector?.operation ?? 'extract'}`;
}

/**
 * Flux archives an extracted layer with the .sourceignore files found in it and spec.ignore (no built-in
 * patterns for OCI) and leaves symlinks out; the same happens here, on disk, before the set is sealed.
 */
async function applyIgnore(root: string, specIgnore: string | undefined): Promise<void> {
  const ignoreFiles = new Map<string, string>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (e.isFile() && e.name === '.sourceignore') {
      const rel = relative(root, e.parentPath);
      ignoreFiles.set(rel, await readFile(join(e.parentPath, e.name), 'utf8'));
    }
  }
  const rules = new SourceIgnore(specIgnore, ignoreFiles, { builtIn: false });
  const prune = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) await rm(join(root, path));
      else if (e.isDirectory()) {
        if (rules.ignores(`${path}/`)) await rm(join(root, path), { recursive: true });
        else await prune(path);
      } else if (rules.ignores(path)) await rm(join(root, path));
    }
  };
  await prune('');
}

function relative(root: string, path: string): string {
  return path === root
    ? ''
    : path
        .slice(root.length + 1)
        .split('\\')
        .join('/');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
