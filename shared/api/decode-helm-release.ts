// Validates a raw helm.toolkit.fluxcd.io/v2 HelmRelease into the typed API with helm-controller's CRD rules
// and defaults, naming each bad field; fields Sluice accepts but does not carry out become status warnings.
import { releaseNameOf } from '../core/helm/release-name.ts';
import { optional } from './decode-git-repository.ts';
import {
  decodeInstall,
  decodeUninstall,
  decodeUpgrade,
  validateTestAndRollback,
} from './decode-helm-release-actions.ts';
import {
  decodeDependsOn,
  decodeDriftDetection,
  decodePostRenderers,
  decodeValuesFrom,
  integer,
  validateAcceptedOnly,
} from './decode-helm-release-parts.ts';
import { decodeCommonMetadata } from './decode-kustomization.ts';
import { type FieldReader, isRecord } from './field-reader.ts';
import { COMMON_METADATA_FIELDS, HELM_RELEASE_SPEC_FIELDS, OBJECT_FIELDS } from './flux-fields.ts';
import { HELM_RELEASE_API, type HelmRelease } from './helm-release.ts';
import { notHonoured } from './helm-release-not-honoured.ts';
import { chartRefOf, impliedHelmChart } from './implied-helm-chart.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';
import { SERVICE_ACCOUNT_NAME } from './service-account-name.ts';

/** helm-controller's GetTimeout default. */
export const DEFAULT_HELM_TIMEOUT_MS = 300_000;
/** helm-controller's GetMaxHistory default. */
export const DEFAULT_MAX_HISTORY = 5;

export function decodeHelmRelease(
  raw: Record<string, unknown>,
  metadata: ObjectMeta,
  source: SourceLocation,
  r: FieldReader,
): HelmRelease {
  const issuesBefore = r.issues.length;
  r.knownFields(raw, '', OBJECT_FIELDS);
  // Checks apiVersion, that spec exists, and that exactly one of chart and chartRef is set.
  const implied = impliedHelmChart(raw, metadata, source, r);
  const chartRef = chartRefOf(raw, r);
  const spec = isRecord(raw.spec) ? raw.spec : undefined;
  r.knownFields(spec, 'spec', HELM_RELEASE_SPEC_FIELDS);

  const targetNamespace = r.string(spec, 'targetNamespace', 'spec.targetNamespace', {
    minLength: 1,
    maxLength: 63,
  });
  const releaseName = r.string(spec, 'releaseName', 'spec.releaseName', { minLength: 1, maxLength: 53 });
  const commonMetadataRaw = r.object(spec, 'commonMetadata', 'spec.commonMetadata');
  r.knownFields(commonMetadataRaw, 'spec.commonMetadata', COMMON_METADATA_FIELDS);
  validateTestAndRollback(r, spec);
  validateAcceptedOnly(r, spec);
  const decoded: HelmRelease['spec'] = {
    ...(implied && { chart: { helmChart: implied.chart, sourceNamespace: implied.sourceNamespace } }),
    ...optional('chartRef', chartRef),
    releaseName: releaseNameOf({ metadata, spec: { releaseName, targetNamespace } }),
    ...optional('targetNamespace', targetNamespace),
    storageNamespace:
      r.string(spec, 'storageNamespace', 'spec.storageNamespace', { minLength: 1, maxLength: 63 }) ||
      metadata.namespace,
    ...optional('values', r.object(spec, 'values', 'spec.values')),
    valuesFrom: decodeValuesFrom(r, spec),
    install: decodeInstall(r, spec, targetNamespace),
    upgrade: decodeUpgrade(r, spec),
    uninstall: decodeUninstall(r, spec),
    postRenderers: decodePostRenderers(r, spec),
    ...optional('commonMetadata', commonMetadataRaw && decodeCommonMetadata(r, commonMetadataRaw)),
    dependsOn: decodeDependsOn(r, spec),
    ...optional(
      'serviceAccountName',
      r.string(spec, 'serviceAccountName', 'spec.serviceAccountName', SERVICE_ACCOUNT_NAME),
    ),
    suspend: r.boolean(spec, 'suspend', 'spec.suspend') ?? false,
    driftDetection: decodeDriftDetection(r, spec),
    intervalMs: r.duration(spec, 'interval', 'spec.interval', true) ?? 0,
    timeoutMs: r.duration(spec, 'timeout', 'spec.timeout') ?? DEFAULT_HELM_TIMEOUT_MS,
    maxHistory: integer(r, spec, 'maxHistory', 'spec.maxHistory') ?? DEFAULT_MAX_HISTORY,
    notHonoured: spec ? notHonoured(spec) : [],
  };
  // helm-controller would act on another cluster; the puller can only apply to its own, so honouring the rest
  // of the object would install the release where it was not meant to go.
  if (spec?.kubeConfig !== undefined && spec.kubeConfig !== null) {
    r.fail(
      'spec.kubeConfig',
      "remote clusters are not supported: Sluice's puller installs a release only in its own cluster, so this HelmRelease is refused; declare it in the fleet of the cluster it is meant for, without kubeConfig",
    );
  }
  dropRepeatedIssues(r, issuesBefore);
  return { kind: 'HelmRelease', apiVersion: HELM_RELEASE_API, metadata, spec: decoded, source };
}

/**
 * The implied chart reads spec.interval as its default interval, so a bad interval would be reported twice;
 * one report per field and problem is enough.
 */
function dropRepeatedIssues(r: FieldReader, from: number): void {
  const seen = new Set<string>();
  for (let i = from; i < r.issues.length; ) {
    const issue = r.issues[i] as { field: string; problem: string };
    const key = `${issue.field}\n${issue.problem}`;
    if (seen.has(key)) r.issues.splice(i, 1);
    else {
      seen.add(key);
      i++;
    }
  }
}
