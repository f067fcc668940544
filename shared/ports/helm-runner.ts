// Port: runs the real `helm template` on a chart (a directory or a .tgz) with values and typed flags, and
// returns its multi-document output. Locally a confined process; in the cloud, the tool sandbox function.
import type { HelmTemplateFlags } from '../core/helm/helm-template-args.ts';

export interface HelmTemplateRun extends HelmTemplateFlags {
  /** Absolute path of the chart directory or archive; nothing else of the snapshot is visible. */
  chartPath: string;
  /** The merged values, written to a values file beside the run. */
  values: Record<string, unknown>;
}

export interface HelmRunner {
  /** Tool identity that goes into render keys, e.g. "helm v4.1.4". */
  readonly version: string;
  template(run: HelmTemplateRun): Promise<string>;
}
