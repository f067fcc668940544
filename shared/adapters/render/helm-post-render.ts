// Flux's kustomize post-renderers (helm-controller internal/postrender/kustomize.go) with the real
// kustomize: each spec.postRenderers[i] is one build of a kustomization with the rendered objects as its
// only resource plus that entry's patches and images, run in order, confined like any kustomize build.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KustomizeImage, KustomizePatch } from '../../api/kustomization.ts';
import { isSluiceError, SluiceError } from '../../core/errors.ts';
import { type KubeObject, objectsToYaml, parseYaml11, splitDocuments } from '../../core/render/yaml-codec.ts';
import type { KustomizeRunner } from '../../ports/kustomize-runner.ts';

export interface HelmPostRenderer {
  patches: KustomizePatch[];
  images: KustomizeImage[];
}

export interface PostRenderDeps {
  kustomize: KustomizeRunner;
  scratchDir: string;
}

const INPUT = 'helm-output.yaml';

export async function applyPostRenderers(
  objects: readonly KubeObject[],
  postRenderers: readonly HelmPostRenderer[],
  deps: PostRenderDeps,
): Promise<KubeObject[]> {
  let current = [...objects];
  for (const [index, renderer] of postRenderers.entries()) {
    if (renderer.patches.length === 0 && renderer.images.length === 0) continue;
    current = await runOne(current, renderer, index, deps);
  }
  return current;
}

async function runOne(
  objects: KubeObject[],
  renderer: HelmPostRenderer,
  index: number,
  deps: PostRenderDeps,
): Promise<KubeObject[]> {
  await mkdir(deps.scratchDir, { recursive: true });
  const dir = await mkdtemp(join(deps.scratchDir, 'post-render-'));
  try {
    await writeFile(join(dir, INPUT), objectsToYaml(objects));
    await writeFile(join(dir, 'kustomization.yaml'), JSON.stringify(kustomization(renderer)));
    let output: string;
    try {
      output = await deps.kustomize.build(dir, {
        allowRemoteBases: false,
        displayPaths: { [dir]: '' },
        readable: [dir],
      });
    } catch (err) {
      throw postRenderError(err, renderer, index);
    }
    return splitDocuments(output).map((doc) => {
      const parsed = parseYaml11(doc);
      if ('error' in parsed || !parsed.value || typeof parsed.value !== 'object')
        throw new SluiceError(
          'InvalidManifest',
          `spec.postRenderers[${index}] produced an unreadable object`,
          {
            field: `spec.postRenderers[${index}]`,
          },
        );
      return parsed.value as KubeObject;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function kustomization(renderer: HelmPostRenderer): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [INPUT],
    ...(renderer.patches.length > 0 && {
      patches: renderer.patches.map((p) => ({ patch: p.patch, ...(p.target && { target: p.target }) })),
    }),
    ...(renderer.images.length > 0 && { images: renderer.images }),
  };
}

/**
 * kustomize refuses a patch without a target that matches no object ("no resource matches strategic merge
 * patch"); one with a target that matches nothing is a no-op there and in Flux, so here too.
 */
function postRenderError(err: unknown, renderer: HelmPostRenderer, index: number): unknown {
  if (!isSluiceError(err) || err.code !== 'KustomizeFailed') return err;
  const unmatched = /no resource matches strategic merge patch "([^"]+)"/.exec(err.message)?.[1];
  const patch =
    unmatched === undefined ? -1 : renderer.patches.findIndex((p) => patchMatchesId(p, unmatched));
  const field =
    patch >= 0
      ? `spec.postRenderers[${index}].kustomize.patches[${patch}]`
      : `spec.postRenderers[${index}].kustomize`;
  const message =
    unmatched !== undefined
      ? `${field} matches no object of the release (${unmatched}); correct its kind and name, or give it a target`
      : `${field} failed: ${err.message.replace(/^kustomize build failed: /, '')}`;
  return new SluiceError('KustomizeFailed', message, { field, cause: err, retryable: false });
}

/** kustomize names an unmatched patch `Kind.version.group/name.[namespace]`. */
function patchMatchesId(patch: KustomizePatch, id: string): boolean {
  if (patch.target) return false;
  const parsed = parseYaml11(patch.patch);
  const value = 'value' in parsed ? (parsed.value as Record<string, unknown> | null) : null;
  if (!value || typeof value !== 'object') return false;
  const name = (value.metadata as Record<string, unknown> | undefined)?.name;
  return id.startsWith(`${String(value.kind)}.`) && id.includes(`/${String(name)}.`);
}
