// source.toolkit.fluxcd.io/v1 HelmChart: the fields Sluice honours, as Flux defines them. Also the shape a
// HelmRelease's `spec.chart` template takes (helm.toolkit.fluxcd.io/v2), from which an implied HelmChart is made.
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

export const HELM_CHART_API = 'source.toolkit.fluxcd.io/v1';

export interface HelmChartSpec {
  /** A chart name (HelmRepository) or a path in the source (GitRepository, OCIRepository... see Flux). */
  chart: string;
  /** Semver range for a HelmRepository; `*` when unset (latest stable). */
  version: string;
  /** Flux's kinds plus OCIRepository (a chart directory in an OCI artifact). */
  sourceRef: { kind: 'HelmRepository' | 'GitRepository' | 'OCIRepository' | 'Bucket'; name: string };
  reconcileStrategy: 'ChartVersion' | 'Revision';
  valuesFiles: string[];
  ignoreMissingValuesFiles: boolean;
  intervalMs: number;
  suspend: boolean;
}

export interface HelmChart {
  kind: 'HelmChart';
  apiVersion: typeof HELM_CHART_API;
  metadata: ObjectMeta;
  spec: HelmChartSpec;
  source: SourceLocation;
}
