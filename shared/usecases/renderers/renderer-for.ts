// Picks the Renderer of a target's kind. A kind without one yet is refused with a typed, non-retryable
// error naming the target, so its render status says so instead of a job retrying forever.
import { SluiceError } from '../../core/errors.ts';
import { describeTarget, type Target, type TargetKind } from '../../core/pipeline/target.ts';
import type { Renderer } from '../../ports/renderer.ts';
import type { RenderDeps } from '../render-kustomization.ts';
import { helmReleaseRenderer } from './helm-release-renderer.ts';
import { kustomizationRenderer } from './kustomization-renderer.ts';

const built = new WeakMap<RenderDeps, Map<TargetKind, Renderer>>();
const MAKERS: Record<TargetKind, (deps: RenderDeps) => Renderer> = {
  Kustomization: kustomizationRenderer,
  HelmRelease: helmReleaseRenderer,
};

export function rendererFor(deps: RenderDeps, target: Target): Renderer {
  const make = MAKERS[target.kind];
  if (!make) {
    throw new SluiceError(
      'UnsupportedResource',
      `${describeTarget(target)}: Sluice does not render ${target.kind} yet`,
      { object: `${target.kind}/${target.namespace}/${target.name}` },
    );
  }
  let renderers = built.get(deps);
  if (!renderers) {
    renderers = new Map();
    built.set(deps, renderers);
  }
  let renderer = renderers.get(target.kind);
  if (!renderer) {
    renderer = make(deps);
    renderers.set(target.kind, renderer);
  }
  return renderer;
}
