// Port: one HelmRelease rendered by the real `helm template` and split as Helm splits a release (CRDs from
// crds/, hooks, the release's objects with Helm's ownership metadata). Locally a confined process.
import type { KustomizeImage, KustomizePatch } from '../api/kustomization.ts';
import type { HelmChartMeta } from '../core/helm/helm-release-apply.ts';
import type { HelmCapabilities } from '../core/helm/helm-template-args.ts';
import type { KubeObject } from '../core/render/yaml-codec.ts';

export interface HelmTemplateInput {
  /** A chart directory or .tgz (see locateChart). */
  chartPath: string;
  releaseName: string;
  namespace: string;
  values: Record<string, unknown>;
  isUpgrade: boolean;
  includeCrds: boolean;
  disableHooks: boolean;
  capabilities: HelmCapabilities;
  postRenderers: readonly { patches: KustomizePatch[]; images: KustomizeImage[] }[];
}

export interface HelmTemplateOutput {
  manifests: KubeObject[];
  hooks: KubeObject[];
  crds: KubeObject[];
  chart: HelmChartMeta;
  /** The release's objects as Helm stores them (`helm get manifest`). */
  manifestText: string;
}

export interface HelmTemplate {
  /** Tool identity that goes into render keys (`helm v4.1.4`). */
  readonly version: string;
  /** The chart inside a source snapshot: a .tgz or Chart.yaml at its root, or its one chart directory. */
  locateChart(snapshotDir: string): Promise<string>;
  template(input: HelmTemplateInput): Promise<HelmTemplateOutput>;
}
