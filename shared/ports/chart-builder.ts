// Port: build a HelmChart's artifact (Flux's packaged chart) from its source: resolve the version, fetch
// the chart, vendor its dependencies and merge its values files, so a render never touches the network.
import type { RemoteAccess } from './remote-access.ts';

export type ChartOrigin =
  /** An HTTP(S) HelmRepository: the index is the one its fetch stored (`index.yaml` in `indexDir`). */
  | { kind: 'HelmRepository'; type: 'default'; url: string; indexDir: string; access: RemoteAccess }
  /** A HelmRepository of `type: oci`: the chart is `<url>/<chart>` in the registry. */
  | { kind: 'HelmRepository'; type: 'oci'; url: string; access: RemoteAccess }
  /** A chart directory in a Git or OCI snapshot (`chart` is its path there); `revision` is the source's. */
  | { kind: 'GitRepository' | 'OCIRepository'; dir: string; revision: string };

/** How a chart dependency that names a repository (https:// or oci://) is reached. */
export interface DependencyAccess {
  /** Access for a repository URL declared by a HelmRepository of the fleet; undefined = anonymous. */
  accessFor(repositoryUrl: string): Promise<RemoteAccess | undefined>;
}

export interface ChartBuildRequest {
  /** HelmChart spec.chart: a chart name for a HelmRepository, a path in the source otherwise. */
  chart: string;
  /** spec.version: a semver range for a HelmRepository (`*` or empty: latest stable); ignored otherwise. */
  version?: string;
  origin: ChartOrigin;
  valuesFiles?: string[];
  ignoreMissingValuesFiles?: boolean;
  reconcileStrategy?: 'ChartVersion' | 'Revision';
  dependencies: DependencyAccess;
  /** The last built artifact's digest: when the selected chart and inputs are the same, nothing is rebuilt. */
  lastDigest?: string;
  /**
   * Who may reuse this build (the pipeline: the chart's cluster). An earlier build is reused only within one
   * scope: a build holds what its dependencies' credentials fetched, and another cluster may lack them.
   */
  scope?: string;
}

export interface ChartSnapshot {
  /** Chart name and the artifact's version (with Flux's `+<revision>` suffix under `Revision`). */
  name: string;
  version: string;
  /** Flux's revision of a HelmChart: its version. */
  revision: string;
  /** `sha256:<hex>` identifying the built artifact (chart archive + vendored deps + merged values). */
  digest: string;
  /** Absolute path of a directory holding the unpacked chart at `<dir>/<name>/` (Chart.yaml inside). */
  dir: string;
  changed: boolean;
}

export interface ChartBuilder {
  build(req: ChartBuildRequest): Promise<ChartSnapshot>;
}
