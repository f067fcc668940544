// The render key of a HelmRelease: a digest of everything that can change `helm template`'s output and what
// Sluice does to it. Clusters with equal inputs (chart digest, merged values, capabilities, options) share one.
import { createHash } from 'node:crypto';
import type { KustomizeImage, KustomizePatch } from '../../api/kustomization.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { HelmCapabilities } from '../helm/helm-template-args.ts';

export interface HelmRenderKeyInput {
  chartDigest: string;
  values: Record<string, unknown>;
  releaseName: string;
  namespace: string;
  capabilities: HelmCapabilities;
  isUpgrade: boolean;
  includeCrds: boolean;
  disableHooks: boolean;
  postRenderers: readonly { patches: KustomizePatch[]; images: KustomizeImage[] }[];
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** The helm (and kustomize) versions, when the caller wants a tool upgrade to re-render. */
  engine?: string;
}

export function helmRenderKey(input: HelmRenderKeyInput): string {
  // The order a cluster lists its API versions in means nothing to Helm (a set); duplicates neither.
  const apiVersions = [...new Set(input.capabilities.apiVersions)].sort();
  const payload = canonicalJson({
    kind: 'helm',
    version: 1,
    ...input,
    capabilities: { kubeVersion: input.capabilities.kubeVersion, apiVersions },
  });
  return `sha256:${createHash('sha256').update(payload).digest('hex')}`;
}
