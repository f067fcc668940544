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
