// Composition root of the CLI's `sluice build kustomization`: the real kustomize, confined when bubblewrap is
// there, and remote bases from public https hosts only. No cluster, store or cloud account.
import { publicRemoteBases } from '../adapters/net/remote-base-policy.ts';
import type { RenderDeps } from '../usecases/render-kustomization.ts';
import { createLocalRenderDeps } from './render-deps.ts';

export interface CliDepsSettings {
  /** Explicit kubectl binary (--kubectl or SLUICE_KUBECTL). */
  kubectlPath?: string;
}

export function createCliDeps(s: CliDepsSettings = {}): { render: RenderDeps } {
  return {
    render: createLocalRenderDeps({
      ...(s.kubectlPath && { kubectlPath: s.kubectlPath }),
      // flux build fetches remote bases from anywhere; Sluice still keeps them to public https hosts.
      remotePolicy: publicRemoteBases([], 'an https URL of a public host'),
    }),
  };
}
