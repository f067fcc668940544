// Picks the Renderer of a target's kind. A kind without one yet is refused with a typed, non-retryable
// error naming the target, so its render status says so instead of a job retrying forever.
import { SluiceError } from '../../core/errors.ts';
import { describeTarget, type Target } from '../../core/pipeline/target.ts';
import type { Renderer } from '../../ports/renderer.ts';
import type { RenderDeps } from '../render-kustomization.ts';
import { kustomizationRenderer } from './kustomization-renderer.ts';

const built = new WeakMap<RenderDeps, Renderer>();

export function rendererFor(deps: RenderDeps, target: Target): Renderer {
  if (target.kind !== 'Kustomization') {
    throw new SluiceError(
      'UnsupportedResource',
      `${describeTarget(target)}: Sluice does not render ${target.kind} yet`,
      { object: `${target.kind}/${target.namespace}/${target.name}` },
    );
  }
  let renderer = built.get(deps);
  if (!renderer) {
    renderer = kustomizationRenderer(deps);
    built.set(deps, renderer);
  }
  return renderer;
}
