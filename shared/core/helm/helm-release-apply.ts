// What a HelmRelease's artifact tells the puller beyond its objects: the release it is (name, namespaces,
// chart, values, manifest) and how to apply it as Helm would (hooks, CRDs, history). Hooks travel among the
// artifact's objects, recognised by their `helm.sh/hook` annotation; everything else is the release.

export type CrdPolicy = 'Skip' | 'Create' | 'CreateReplace';

export interface HelmChartMeta {
  name: string;
  version: string;
  appVersion?: string;
  /** The chart's Chart.yaml as a map: the release record's `chart.metadata` (what `helm list` shows). */
  metadata: Record<string, unknown>;
}

export interface HelmReleaseApply {
  releaseName: string;
  /** Where the release's namespaced objects go: spec.targetNamespace, else the HelmRelease's namespace. */
  namespace: string;
  /** Where Helm's release record Secrets live: spec.storageNamespace, else the HelmRelease's namespace. */
  storageNamespace: string;
  chart: HelmChartMeta;
  /** The merged values: the release record's `config` (`helm get values`). */
  values: Record<string, unknown>;
  /** The release's objects (hooks and CRDs from crds/ excluded) as the YAML Helm stores (`helm get manifest`). */
  manifest: string;
  /** install.disableHooks / upgrade.disableHooks of the action this render is for: no hook is run. */
  disableHooks: boolean;
  /** install.createNamespace: the release namespace is created when missing. */
  createNamespace: boolean;
  /** CRD policy of the action this render is for (helm-controller applies Create to both by default). */
  crds: CrdPolicy;
  /** spec.maxHistory (Flux default 5; 0 = unlimited): release record Secrets kept. */
  maxHistory: number;
  /** uninstall.keepHistory: on removal the records stay, marked uninstalled. */
  keepHistory: boolean;
  /** uninstall.disableHooks: no pre/post-delete hook runs on removal. */
  uninstallDisableHooks: boolean;
  /** Bounds hooks and waits of this action (install/upgrade timeout, else spec.timeout, else 5m). */
  timeoutMs: number;
  /** The source revision and chart digest, for the release record's description. */
  description: string;
  /** In a stored artifact: `values` and `manifest`, sealed for the cluster (they are emptied beside it). */
  sealed?: string;
}

/** The annotation that makes an object a Helm hook, and its companions. */
export const HELM_HOOK = 'helm.sh/hook';
export const HELM_HOOK_WEIGHT = 'helm.sh/hook-weight';
export const HELM_HOOK_DELETE_POLICY = 'helm.sh/hook-delete-policy';
/** Objects from a chart's crds/ directory carry this, so the puller never prunes a CRD Helm would keep. */
export const FROM_CRDS_DIR = 'sluice.dev/helm-crd';
