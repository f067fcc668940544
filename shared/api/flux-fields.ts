// Every field Flux's v1 CRD schemas define for the objects Sluice decodes, including those Sluice does not
// honour yet: a key outside these lists is a typo that Flux would refuse too, so the decoder refuses it.

/** Top level of any Flux object. */
export const OBJECT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'] as const;

/** kustomize.toolkit.fluxcd.io/v1 Kustomization .spec */
export const KUSTOMIZATION_SPEC_FIELDS = [
  'commonMetadata',
  'components',
  'decryption',
  'deletionPolicy',
  'dependsOn',
  'force',
  'healthCheckExprs',
  'healthChecks',
  'ignore',
  'ignoreMissingComponents',
  'images',
  'interval',
  'kubeConfig',
  'namePrefix',
  'nameSuffix',
  'patches',
  'path',
  'postBuild',
  'prune',
  'retryInterval',
  'serviceAccountName',
  'sourceRef',
  'suspend',
  'targetNamespace',
  'timeout',
  'wait',
] as const;

export const SOURCE_REF_FIELDS = ['apiVersion', 'kind', 'name', 'namespace'] as const;
export const DEPENDS_ON_FIELDS = ['name', 'namespace', 'readyExpr'] as const;
export const DECRYPTION_FIELDS = ['provider', 'secretRef', 'serviceAccountName'] as const;
export const POST_BUILD_FIELDS = ['substitute', 'substituteFrom'] as const;
export const SUBSTITUTE_FROM_FIELDS = ['kind', 'name', 'optional'] as const;
export const PATCH_FIELDS = ['patch', 'target'] as const;
export const PATCH_TARGET_FIELDS = [
  'group',
  'version',
  'kind',
  'name',
  'namespace',
  'labelSelector',
  'annotationSelector',
] as const;
export const IMAGE_FIELDS = ['name', 'newName', 'newTag', 'digest'] as const;
export const HEALTH_CHECK_FIELDS = ['apiVersion', 'kind', 'name', 'namespace'] as const;
export const COMMON_METADATA_FIELDS = ['labels', 'annotations'] as const;

/** source.toolkit.fluxcd.io/v1 GitRepository .spec */
export const GIT_REPOSITORY_SPEC_FIELDS = [
  'url',
  'secretRef',
  'provider',
  'interval',
  'timeout',
  'ref',
  'verify',
  'proxySecretRef',
  'ignore',
  'suspend',
  'recurseSubmodules',
  'include',
  'sparseCheckout',
] as const;
export const GIT_REF_FIELDS = ['branch', 'tag', 'semver', 'name', 'commit'] as const;
export const SECRET_REF_FIELDS = ['name'] as const;

/** source.toolkit.fluxcd.io/v1 HelmRepository .spec */
export const HELM_REPOSITORY_SPEC_FIELDS = [
  'url',
  'secretRef',
  'certSecretRef',
  'passCredentials',
  'interval',
  'insecure',
  'timeout',
  'suspend',
  'accessFrom',
  'type',
  'provider',
] as const;
export const ACCESS_FROM_FIELDS = ['namespaceSelectors'] as const;
export const NAMESPACE_SELECTOR_FIELDS = ['matchLabels'] as const;

/** source.toolkit.fluxcd.io/v1 OCIRepository .spec */
export const OCI_REPOSITORY_SPEC_FIELDS = [
  'url',
  'ref',
  'layerSelector',
  'provider',
  'secretRef',
  'verify',
  'serviceAccountName',
  'certSecretRef',
  'proxySecretRef',
  'interval',
  'timeout',
  'ignore',
  'insecure',
  'suspend',
] as const;
export const OCI_REF_FIELDS = ['digest', 'semver', 'semverFilter', 'tag'] as const;
export const OCI_LAYER_SELECTOR_FIELDS = ['mediaType', 'operation'] as const;

/** source.toolkit.fluxcd.io/v1 HelmChart .spec */
export const HELM_CHART_SPEC_FIELDS = [
  'chart',
  'version',
  'sourceRef',
  'interval',
  'reconcileStrategy',
  'valuesFiles',
  'ignoreMissingValuesFiles',
  'suspend',
  'verify',
] as const;
export const HELM_CHART_SOURCE_REF_FIELDS = ['apiVersion', 'kind', 'name'] as const;

/** helm.toolkit.fluxcd.io/v2 HelmRelease .spec.chart (the HelmChart template) and its parts. */
export const HELM_CHART_TEMPLATE_FIELDS = ['metadata', 'spec'] as const;
export const HELM_CHART_TEMPLATE_METADATA_FIELDS = ['labels', 'annotations'] as const;
export const HELM_CHART_TEMPLATE_SPEC_FIELDS = [
  'chart',
  'version',
  'sourceRef',
  'interval',
  'reconcileStrategy',
  'valuesFiles',
  'ignoreMissingValuesFiles',
  'verify',
] as const;
/** helm.toolkit.fluxcd.io/v2 HelmRelease .spec.chartRef */
export const CHART_REF_FIELDS = ['apiVersion', 'kind', 'name', 'namespace'] as const;

/** helm.toolkit.fluxcd.io/v2 HelmRelease .spec (helm-controller api/v2 helmrelease_types.go) and its parts. */
export const HELM_RELEASE_SPEC_FIELDS = [
  'chart',
  'chartRef',
  'interval',
  'kubeConfig',
  'suspend',
  'releaseName',
  'targetNamespace',
  'storageNamespace',
  'dependsOn',
  'timeout',
  'maxHistory',
  'serviceAccountName',
  'persistentClient',
  'driftDetection',
  'install',
  'upgrade',
  'test',
  'rollback',
  'uninstall',
  'valuesFrom',
  'values',
  'commonMetadata',
  'postRenderers',
  'postRenderStrategy',
  'waitStrategy',
  'healthCheckExprs',
] as const;
/** meta.DependencyReference, plus Sluice's `kind` (HelmRelease or Kustomization). */
export const HELM_RELEASE_DEPENDS_ON_FIELDS = ['name', 'namespace', 'readyExpr', 'kind'] as const;
/** meta.ValuesReference */
export const VALUES_REFERENCE_FIELDS = [
  'kind',
  'name',
  'valuesKey',
  'targetPath',
  'optional',
  'literal',
] as const;
const HELM_ACTION_SHARED_FIELDS = [
  'timeout',
  'strategy',
  'remediation',
  'disableTakeOwnership',
  'disableWait',
  'disableWaitForJobs',
  'disableHooks',
  'disableOpenAPIValidation',
  'disableSchemaValidation',
  'crds',
  'serverSideApply',
] as const;
export const HELM_INSTALL_FIELDS = [
  ...HELM_ACTION_SHARED_FIELDS,
  'replace',
  'skipCRDs',
  'createNamespace',
] as const;
export const HELM_UPGRADE_FIELDS = [
  ...HELM_ACTION_SHARED_FIELDS,
  'force',
  'preserveValues',
  'cleanupOnFail',
  'chartNameChangeStrategy',
] as const;
export const HELM_INSTALL_REMEDIATION_FIELDS = [
  'retries',
  'ignoreTestFailures',
  'remediateLastFailure',
] as const;
export const HELM_UPGRADE_REMEDIATION_FIELDS = [...HELM_INSTALL_REMEDIATION_FIELDS, 'strategy'] as const;
export const HELM_ACTION_STRATEGY_FIELDS = ['name', 'retryInterval'] as const;
export const HELM_TEST_FIELDS = ['enable', 'timeout', 'ignoreFailures', 'filters'] as const;
export const HELM_TEST_FILTER_FIELDS = ['name', 'exclude'] as const;
export const HELM_ROLLBACK_FIELDS = [
  'timeout',
  'disableWait',
  'disableWaitForJobs',
  'disableHooks',
  'recreate',
  'force',
  'cleanupOnFail',
  'serverSideApply',
] as const;
export const HELM_UNINSTALL_FIELDS = [
  'timeout',
  'disableHooks',
  'keepHistory',
  'disableWait',
  'deletionPropagation',
] as const;
export const DRIFT_DETECTION_FIELDS = ['mode', 'ignore'] as const;
export const DRIFT_IGNORE_RULE_FIELDS = ['paths', 'target'] as const;
export const POST_RENDERER_FIELDS = ['kustomize'] as const;
export const POST_RENDERER_KUSTOMIZE_FIELDS = ['patches', 'images'] as const;
export const WAIT_STRATEGY_FIELDS = ['name'] as const;
/** kustomize.CustomHealthCheck */
export const HEALTH_CHECK_EXPR_FIELDS = ['apiVersion', 'kind', 'current', 'inProgress', 'failed'] as const;

/** source.toolkit.fluxcd.io/v1 Bucket .spec */
export const BUCKET_SPEC_FIELDS = [
  'provider',
  'bucketName',
  'endpoint',
  'sts',
  'insecure',
  'region',
  'prefix',
  'secretRef',
  'certSecretRef',
  'proxySecretRef',
  'serviceAccountName',
  'interval',
  'timeout',
  'ignore',
  'suspend',
] as const;
