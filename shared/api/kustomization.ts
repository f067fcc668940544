// kustomize.toolkit.fluxcd.io/v1 Kustomization: the fields Sluice honours, as Flux defines them.
import type { DriftIgnoreRule, ObjectSelector } from '../core/apply/drift-ignore.ts';
import type { HealthCheckExpr } from '../core/health/health-check-exprs.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

export const KUSTOMIZATION_API = 'kustomize.toolkit.fluxcd.io/v1';

export interface CrossNamespaceSourceRef {
  kind: 'GitRepository' | 'OCIRepository' | 'Bucket' | 'ExternalArtifact';
  name: string;
  namespace?: string;
}

/** Flux's kustomize.Selector: the same shape selects a patch's objects and an ignore rule's. */
export type PatchSelector = ObjectSelector;

export interface KustomizePatch {
  patch: string;
  target?: PatchSelector;
}

export interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

export interface SubstituteReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  optional: boolean;
}

export interface PostBuild {
  substitute?: Record<string, string>;
  substituteFrom?: SubstituteReference[];
}

/** Flux's NamespacedObjectKindReference: an object whose readiness the Kustomization's readiness waits for. */
export interface HealthCheckReference {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** spec.deletionPolicy: what happens to the objects when the Kustomization leaves the fleet (Flux's enum). */
export type DeletionPolicy = 'MirrorPrune' | 'Delete' | 'WaitForTermination' | 'Orphan';

export interface KustomizationSpec {
  sourceRef: CrossNamespaceSourceRef;
  path?: string;
  intervalMs: number;
  retryIntervalMs?: number;
  timeoutMs?: number;
  prune: boolean;
  /** Absent is MirrorPrune: on removal, prune only when `prune` is true. */
  deletionPolicy?: DeletionPolicy;
  wait: boolean;
  /** spec.retryInterval: the puller retries a failed reconcile this soon (ApplyOptions.retryIntervalMs). */
  healthChecks?: HealthCheckReference[];
  /** CEL health rules per API group/kind (Flux 2.5+), each expression checked when decoded. */
  healthCheckExprs?: HealthCheckExpr[];
  force: boolean;
  /** Flux 2.9's spec.ignore: fields other controllers own, never compared nor reverted by the puller. */
  ignore?: DriftIgnoreRule[];
  suspend: boolean;
  dependsOn?: { name: string; namespace?: string }[];
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: KustomizePatch[];
  images?: KustomizeImage[];
  components?: string[];
  ignoreMissingComponents: boolean;
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  postBuild?: PostBuild;
  /** SOPS decryption (FLUX-RENDER §4): provider `sops` only; keys from a Secret of the fleet when set. */
  decryption?: KustomizationDecryption;
  /** The puller applies, prunes and reads this Kustomization's objects as `system:serviceaccount:<ns>:<name>`. */
  serviceAccountName?: string;
}

export interface KustomizationDecryption {
  provider: 'sops';
  secretRef?: { name: string };
}

/**
 * Sluice verifies every SOPS MAC by default (Flux never does); `"false"` on the Kustomization opts out, for
 * fleets whose files were edited outside sops and that accept Flux's weaker check.
 */
export const SOPS_VERIFY_MAC_ANNOTATION = 'sluice.dev/sops-verify-mac';

export interface Kustomization {
  kind: 'Kustomization';
  apiVersion: typeof KUSTOMIZATION_API;
  metadata: ObjectMeta;
  spec: KustomizationSpec;
  source: SourceLocation;
}
