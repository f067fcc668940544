// The `helm template` command line for one render, built from typed fields only and checked first: a
// release name, namespace, version or API version can never become a flag, a second value or a path.
import { SluiceError } from '../errors.ts';

export interface HelmCapabilities {
  /** The cluster's server version (`v1.31.2`), for `.Capabilities.KubeVersion`. */
  kubeVersion: string;
  /** The cluster's group-versions (`apps/v1`, `monitoring.coreos.com/v1`, optionally `/Kind`). */
  apiVersions: string[];
}

export interface HelmTemplateFlags {
  releaseName: string;
  namespace: string;
  isUpgrade: boolean;
  includeCrds: boolean;
  disableHooks: boolean;
  capabilities: HelmCapabilities;
}

// Helm's release name rule (chartutil.ValidateReleaseName) and its 53-character limit.
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KUBE_VERSION = /^v?\d{1,4}\.\d{1,4}(\.\d{1,4})?([-+][0-9A-Za-z.+-]{0,100})?$/;
// No comma: helm splits --api-versions values on commas.
const API_VERSION = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}(\/[A-Za-z0-9][A-Za-z0-9.-]{0,62}){0,2}$/;

function invalid(field: string, message: string): SluiceError {
  return new SluiceError('ValidationFailed', message, { field, retryable: false });
}

export function checkTemplateFlags(flags: HelmTemplateFlags): void {
  if (flags.releaseName.length > 53 || !RELEASE_NAME.test(flags.releaseName))
    throw invalid(
      'spec.releaseName',
      `release name ${JSON.stringify(flags.releaseName.slice(0, 80))} is not a valid Helm release name (lower-case letters, digits, '-' and '.', at most 53 characters)`,
    );
  if (flags.namespace.length > 63 || !NAMESPACE.test(flags.namespace))
    throw invalid(
      'spec.targetNamespace',
      `namespace ${JSON.stringify(flags.namespace.slice(0, 80))} is not a valid namespace name`,
    );
  if (!KUBE_VERSION.test(flags.capabilities.kubeVersion))
    throw invalid(
      'capabilities.kubeVersion',
      `the cluster reported Kubernetes version ${JSON.stringify(flags.capabilities.kubeVersion.slice(0, 80))}, which is not a version Helm reads (v1.31.2)`,
    );
  for (const v of flags.capabilities.apiVersions)
    if (!API_VERSION.test(v))
      throw invalid(
        'capabilities.apiVersions',
        `the cluster reported API version ${JSON.stringify(v.slice(0, 80))}, which is not a group/version`,
      );
}

/** argv after the helm binary: flags in `--name=value` form, then `--`, then the release name and chart. */
export function helmTemplateArgs(flags: HelmTemplateFlags, chartPath: string, valuesFile: string): string[] {
  checkTemplateFlags(flags);
  return [
    'template',
    `--namespace=${flags.namespace}`,
    `--values=${valuesFile}`,
    `--kube-version=${flags.capabilities.kubeVersion}`,
    ...flags.capabilities.apiVersions.map((v) => `--api-versions=${v}`),
    ...(flags.isUpgrade ? ['--is-upgrade'] : []),
    ...(flags.includeCrds ? ['--include-crds'] : []),
    ...(flags.disableHooks ? ['--no-hooks'] : []),
    '--',
    flags.releaseName,
    chartPath,
  ];
}
