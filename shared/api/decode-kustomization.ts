// Validates a raw Kustomization object into the typed API with Flux's CRD rules, naming each bad field.
import { type DriftIgnoreRule, ruleProblem } from '../core/apply/drift-ignore.ts';
import { checkHealthCheckExprs, type HealthCheckExpr } from '../core/health/health-check-exprs.ts';
import { dropUndefined, optional } from './decode-git-repository.ts';
import type { FieldReader } from './field-reader.ts';
import {
  COMMON_METADATA_FIELDS,
  DECRYPTION_FIELDS,
  DEPENDS_ON_FIELDS,
  DRIFT_IGNORE_RULE_FIELDS,
  HEALTH_CHECK_EXPR_FIELDS,
  HEALTH_CHECK_FIELDS,
  IMAGE_FIELDS,
  KUSTOMIZATION_SPEC_FIELDS,
  OBJECT_FIELDS,
  PATCH_FIELDS,
  PATCH_TARGET_FIELDS,
  POST_BUILD_FIELDS,
  SECRET_REF_FIELDS,
  SOURCE_REF_FIELDS,
  SUBSTITUTE_FROM_FIELDS,
} from './flux-fields.ts';
import {
  type DeletionPolicy,
  type HealthCheckReference,
  KUSTOMIZATION_API,
  type Kustomization,
  type KustomizationDecryption,
  type KustomizationSpec,
  type KustomizeImage,
  type KustomizePatch,
  SOPS_VERIFY_MAC_ANNOTATION,
  type SubstituteReference,
} from './kustomization.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';
import { SERVICE_ACCOUNT_NAME } from './service-account-name.ts';

const SOURCE_KINDS = ['GitRepository', 'OCIRepository', 'Bucket', 'ExternalArtifact'] as const;

/** Flux's CRD enum for spec.deletionPolicy; absent means MirrorPrune (Kustomization.GetDeletionPolicy). */
const DELETION_POLICIES = ['MirrorPrune', 'Delete', 'WaitForTermination', 'Orphan'] as const;

export function decodeKustomization(
  raw: Record<string, unknown>,
  metadata: ObjectMeta,
  source: SourceLocation,
  r: FieldReader,
): Kustomization {
  r.knownFields(raw, '', OBJECT_FIELDS);
  const spec = r.object(raw, 'spec', 'spec', true);
  r.knownFields(spec, 'spec', KUSTOMIZATION_SPEC_FIELDS);
  const sourceRefRaw = r.object(spec, 'sourceRef', 'spec.sourceRef', true);
  r.knownFields(sourceRefRaw, 'spec.sourceRef', SOURCE_REF_FIELDS);
  const sourceRef = {
    kind: (r.string(sourceRefRaw, 'kind', 'spec.sourceRef.kind', { required: true, oneOf: SOURCE_KINDS }) ??
      'GitRepository') as KustomizationSpec['sourceRef']['kind'],
    name: r.string(sourceRefRaw, 'name', 'spec.sourceRef.name', { required: true }) ?? '',
    ...optional('namespace', r.string(sourceRefRaw, 'namespace', 'spec.sourceRef.namespace')),
  };
  const prune = r.boolean(spec, 'prune', 'spec.prune');
  if (spec && prune === undefined && spec.prune === undefined)
    r.fail('spec.prune', 'is required (true or false)');

  const postBuildRaw = r.object(spec, 'postBuild', 'spec.postBuild');
  r.knownFields(postBuildRaw, 'spec.postBuild', POST_BUILD_FIELDS);
  const commonMetadataRaw = r.object(spec, 'commonMetadata', 'spec.commonMetadata');
  r.knownFields(commonMetadataRaw, 'spec.commonMetadata', COMMON_METADATA_FIELDS);
  const decryptionRaw = r.object(spec, 'decryption', 'spec.decryption');
  const decoded: KustomizationSpec = {
    sourceRef,
    ...optional('path', r.string(spec, 'path', 'spec.path')),
    intervalMs: r.duration(spec, 'interval', 'spec.interval', true) ?? 0,
    ...optional('retryIntervalMs', r.duration(spec, 'retryInterval', 'spec.retryInterval')),
    ...optional('timeoutMs', r.duration(spec, 'timeout', 'spec.timeout')),
    prune: prune ?? false,
    ...optional(
      'deletionPolicy',
      r.string(spec, 'deletionPolicy', 'spec.deletionPolicy', { oneOf: DELETION_POLICIES }) as
        | DeletionPolicy
        | undefined,
    ),
    wait: r.boolean(spec, 'wait', 'spec.wait') ?? false,
    ...optional(
      'healthChecks',
      r.objects(spec, 'healthChecks', 'spec.healthChecks', (item, path) => decodeHealthCheck(r, item, path)),
    ),
    ...optional('healthCheckExprs', decodeHealthCheckExprs(r, spec)),
    force: r.boolean(spec, 'force', 'spec.force') ?? false,
    ...optional(
      'ignore',
      r.objects(spec, 'ignore', 'spec.ignore', (item, path) => decodeDriftIgnoreRule(r, item, path)),
    ),
    suspend: r.boolean(spec, 'suspend', 'spec.suspend') ?? false,
    ...optional(
      'dependsOn',
      r.objects(spec, 'dependsOn', 'spec.dependsOn', (item, path) => {
        r.knownFields(item, path, DEPENDS_ON_FIELDS);
        return dropUndefined({
          name: r.string(item, 'name', `${path}.name`, { required: true }) ?? '',
          namespace: r.string(item, 'namespace', `${path}.namespace`),
        });
      }),
    ),
    ...optional(
      'targetNamespace',
      r.string(spec, 'targetNamespace', 'spec.targetNamespace', { minLength: 1, maxLength: 63 }),
    ),
    ...optional(
      'namePrefix',
      r.string(spec, 'namePrefix', 'spec.namePrefix', { minLength: 1, maxLength: 200 }),
    ),
    ...optional(
      'nameSuffix',
      r.string(spec, 'nameSuffix', 'spec.nameSuffix', { minLength: 1, maxLength: 200 }),
    ),
    ...optional(
      'patches',
      r.objects(spec, 'patches', 'spec.patches', (item, path) => decodePatch(r, item, path)),
    ),
    ...optional(
      'images',
      r.objects(spec, 'images', 'spec.images', (item, path) => decodeImage(r, item, path)),
    ),
    ...optional('components', r.strings(spec, 'components', 'spec.components')),
    ignoreMissingComponents:
      r.boolean(spec, 'ignoreMissingComponents', 'spec.ignoreMissingComponents') ?? false,
    ...optional('commonMetadata', commonMetadataRaw && decodeCommonMetadata(r, commonMetadataRaw)),
    ...optional(
      'postBuild',
      postBuildRaw &&
        dropUndefined({
          substitute: r.stringMap(postBuildRaw, 'substitute', 'spec.postBuild.substitute'),
          substituteFrom: r.objects(
            postBuildRaw,
            'substituteFrom',
            'spec.postBuild.substituteFrom',
            (item, path) => decodeSubstituteReference(r, item, path),
          ),
        }),
    ),
    ...optional('decryption', decryptionRaw && decodeDecryption(r, decryptionRaw)),
    // As Flux: the puller impersonates this service account of the Kustomization's namespace.
    ...optional(
      'serviceAccountName',
      r.string(spec, 'serviceAccountName', 'spec.serviceAccountName', SERVICE_ACCOUNT_NAME),
    ),
  };
  // kustomize-controller would apply to another cluster; the puller only reaches its own, so honouring the
  // rest of the object would put its objects where they were not meant to go (as decode-helm-release.ts).
  if (spec?.kubeConfig !== undefined && spec.kubeConfig !== null)
    r.fail(
      'spec.kubeConfig',
      "remote clusters are not supported: Sluice's puller applies only to its own cluster, so this Kustomization is refused; declare it in the fleet path of the cluster it is meant for, without kubeConfig (each cluster's own puller delivers it)",
    );
  const verifyMac = metadata.annotations?.[SOPS_VERIFY_MAC_ANNOTATION];
  if (verifyMac !== undefined && verifyMac !== 'true' && verifyMac !== 'false')
    r.fail(`metadata.annotations.${SOPS_VERIFY_MAC_ANNOTATION}`, 'must be "true" or "false"');
  return { kind: 'Kustomization', apiVersion: KUSTOMIZATION_API, metadata, spec: decoded, source };
}

/** Flux's Decryption: provider is the enum [sops] and required; secretRef a LocalObjectReference. */
function decodeDecryption(r: FieldReader, raw: Record<string, unknown>): KustomizationDecryption {
  r.knownFields(raw, 'spec.decryption', DECRYPTION_FIELDS);
  r.string(raw, 'provider', 'spec.decryption.provider', { required: true, oneOf: ['sops'] });
  const secretRefRaw = r.object(raw, 'secretRef', 'spec.decryption.secretRef');
  r.knownFields(secretRefRaw, 'spec.decryption.secretRef', SECRET_REF_FIELDS);
  const name =
    secretRefRaw && r.string(secretRefRaw, 'name', 'spec.decryption.secretRef.name', { required: true });
  // Workload identity for cloud KMS: the puller has no per-object identity to lend, so refuse, never widen.
  if (raw.serviceAccountName !== undefined)
    r.fail(
      'spec.decryption.serviceAccountName',
      "KMS workload identity is not supported by this Sluice version; remove the field (KMS entries use the control plane's AWS credentials)",
    );
  return { provider: 'sops', ...optional('secretRef', name !== undefined ? { name } : undefined) };
}

/** A patch's or ignore rule's `target` (Flux's kustomize.Selector), undefined when absent. */
function decodeTargetSelector(r: FieldReader, item: Record<string, unknown>, path: string) {
  const target = r.object(item, 'target', `${path}.target`);
  r.knownFields(target, `${path}.target`, PATCH_TARGET_FIELDS);
  return (
    target &&
    dropUndefined(
      Object.fromEntries(
        ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'].map(
          (key) => [key, r.string(target, key, `${path}.target.${key}`)],
        ),
      ),
    )
  );
}

/** One kustomize patch (Flux's kustomize.Patch), shared with HelmRelease post-renderers. */
export function decodePatch(r: FieldReader, item: Record<string, unknown>, path: string): KustomizePatch {
  r.knownFields(item, path, PATCH_FIELDS);
  const selector = decodeTargetSelector(r, item, path);
  return {
    patch: r.string(item, 'patch', `${path}.patch`, { required: true }) ?? '',
    ...optional('target', selector),
  };
}

/** One of Flux's spec.ignore rules (Flux 2.9, jsondiff.IgnoreRule): JSON pointers, and a target selector as a patch's (regular expressions). */
function decodeDriftIgnoreRule(r: FieldReader, item: Record<string, unknown>, path: string): DriftIgnoreRule {
  r.knownFields(item, path, DRIFT_IGNORE_RULE_FIELDS);
  const paths = r.strings(item, 'paths', `${path}.paths`);
  if (!paths || paths.length === 0) r.fail(`${path}.paths`, 'is required (at least one JSON pointer)');
  const selector = decodeTargetSelector(r, item, path);
  const rule: DriftIgnoreRule = { paths: paths ?? [], ...optional('target', selector) };
  const problem = ruleProblem(rule);
  if (problem) r.fail(`${path}.${problem.field}`, problem.problem);
  return rule;
}

/** spec.commonMetadata's labels and annotations, shared with HelmReleases (its fields checked by the caller). */
export function decodeCommonMetadata(
  r: FieldReader,
  raw: Record<string, unknown>,
): { labels?: Record<string, string>; annotations?: Record<string, string> } {
  return dropUndefined({
    labels: r.stringMap(raw, 'labels', 'spec.commonMetadata.labels'),
    annotations: r.stringMap(raw, 'annotations', 'spec.commonMetadata.annotations'),
  });
}

/** One kustomize image override (Flux's kustomize.Image), shared with HelmRelease post-renderers. */
export function decodeImage(r: FieldReader, item: Record<string, unknown>, path: string): KustomizeImage {
  r.knownFields(item, path, IMAGE_FIELDS);
  return dropUndefined({
    name: r.string(item, 'name', `${path}.name`, { required: true }) ?? '',
    newName: r.string(item, 'newName', `${path}.newName`),
    newTag: r.string(item, 'newTag', `${path}.newTag`),
    digest: r.string(item, 'digest', `${path}.digest`),
  });
}

function decodeHealthCheck(
  r: FieldReader,
  item: Record<string, unknown>,
  path: string,
): HealthCheckReference {
  r.knownFields(item, path, HEALTH_CHECK_FIELDS);
  return dropUndefined({
    apiVersion: r.string(item, 'apiVersion', `${path}.apiVersion`),
    kind: r.string(item, 'kind', `${path}.kind`, { required: true }) ?? '',
    name: r.string(item, 'name', `${path}.name`, { required: true }) ?? '',
    namespace: r.string(item, 'namespace', `${path}.namespace`),
  });
}

/**
 * kustomize.CustomHealthCheck entries; every expression is parsed and type-checked here, so a typo is refused
 * with the fleet file rather than found when the puller waits.
 */
function decodeHealthCheckExprs(
  r: FieldReader,
  spec: Record<string, unknown> | undefined,
): HealthCheckExpr[] | undefined {
  const exprs = r.objects(spec, 'healthCheckExprs', 'spec.healthCheckExprs', (item, path) => {
    r.knownFields(item, path, HEALTH_CHECK_EXPR_FIELDS);
    return dropUndefined({
      apiVersion: r.string(item, 'apiVersion', `${path}.apiVersion`, { required: true }) ?? '',
      kind: r.string(item, 'kind', `${path}.kind`),
      current: r.string(item, 'current', `${path}.current`, { required: true }) ?? '',
      inProgress: r.string(item, 'inProgress', `${path}.inProgress`),
      failed: r.string(item, 'failed', `${path}.failed`),
    });
  });
  if (!exprs) return undefined;
  // A missing `current` was reported above; the CEL check adds only what the field reader cannot see.
  for (const issue of checkHealthCheckExprs(exprs))
    if (!(issue.field.endsWith('.current') && issue.problem === 'is required'))
      r.fail(issue.field, issue.problem);
  return exprs;
}

function decodeSubstituteReference(
  r: FieldReader,
  item: Record<string, unknown>,
  path: string,
): SubstituteReference {
  r.knownFields(item, path, SUBSTITUTE_FROM_FIELDS);
  return {
    kind: (r.string(item, 'kind', `${path}.kind`, { required: true, oneOf: ['ConfigMap', 'Secret'] }) ??
      'ConfigMap') as SubstituteReference['kind'],
    name: r.string(item, 'name', `${path}.name`, { required: true, maxLength: 253 }) ?? '',
    optional: r.boolean(item, 'optional', `${path}.optional`) ?? false,
  };
}
