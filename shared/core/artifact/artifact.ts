// The artifact a cluster pulls: the ordered objects of one Kustomization plus what the puller needs to
// apply them, as canonical JSON; its sha256 digest is its address and what the signature covers.

import { createHash } from 'node:crypto';
import type { ObjectRef } from '../../ports/cluster-api.ts';
import type { DriftIgnoreRule } from '../apply/drift-ignore.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { HealthCheckExpr } from '../health/health-check-rules.ts';
import type { HelmReleaseApply } from '../helm/helm-release-apply.ts';
import { storePrefixes } from '../pipeline/resource-names.ts';
import type { ObjectKey } from '../pipeline/state-keys.ts';
import type { Target, TargetKind } from '../pipeline/target.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import type { WrappedKey } from '../secrets/wrapped-key.ts';
import type { Generation } from './generation.ts';
import type { RollbackRecord } from './rollback.ts';

export const ARTIFACT_API = 'sluice.dev/v1alpha1';

export interface ApplyOptions {
  prune: boolean;
  wait: boolean;
  force: boolean;
  timeoutMs: number;
  /** How often the puller re-applies an unchanged artifact to correct drift. */
  intervalMs: number;
  /** spec.retryInterval: a failed reconcile is tried again this soon (backing off up to `intervalMs`). */
  retryIntervalMs?: number;
  /** false: an unchanged artifact is not re-applied (a HelmRelease's driftDetection disabled or warn). */
  correctDrift?: boolean;
  /** A HelmRelease's driftDetection.mode warn: each interval, drift is looked for and reported, never corrected. */
  driftMode?: 'warn';
  /** Targets of the same kind, unless `kind` names another (a HelmRelease after a Kustomization). */
  dependsOn: { name: string; namespace: string; kind?: TargetKind }[];
  serviceAccountName?: string;
  /** `spec.healthChecks`: the objects waited for after the apply when `wait` is false; absent when none. */
  healthChecks?: ObjectRef[];
  /** `spec.healthCheckExprs`, checked when decoded (compile with compileHealthCheckExprs); absent when none. */
  healthCheckExprs?: HealthCheckExpr[];
  /** A HelmRelease's artifact: the release, and how to apply it as Helm would. */
  helm?: HelmReleaseApply;
  /**
   * `spec.suspend: true`, signed: the puller applies, prunes and corrects nothing and reports Suspended
   * (as Flux stops reconciling a suspended Kustomization); absent otherwise, so digests do not change.
   */
  suspend?: true;
  /**
   * A Kustomization's `spec.deletionPolicy` when not MirrorPrune (absent, so earlier digests hold): read
   * when the Kustomization is withdrawn and carried, signed, in its tombstone.
   */
  deletionPolicy?: RemovalPolicy;
  /** A Kustomization's `spec.ignore` (a HelmRelease's `driftDetection.ignore`): fields left alone; absent when none. */
  driftIgnoreRules?: DriftIgnoreRule[];
}

/** What a signed record is for: one object of one kind in the fleet (see pipeline/target.ts). */
export type TargetRef = Target;

/** A Kustomization's target, for callers that only have its namespace and name. */
export function targetOf(key: ObjectKey): Target {
  return { kind: 'Kustomization', namespace: key.namespace, name: key.name };
}

/**
 * The binding fields for a target. A Kustomization's records also carry `kustomization` (the target without
 * its kind), as they always did: dropping it would change every digest, and every cluster would re-apply.
 */
export function bindingOf(target: Target): { target: Target; kustomization?: ObjectKey } {
  const t = { kind: target.kind, namespace: target.namespace, name: target.name };
  return target.kind === 'Kustomization'
    ? { kustomization: { namespace: t.namespace, name: t.name }, target: t }
    : { target: t };
}

/** The binding every signed record carries: whose it is, for what, and how fresh. */
interface Bound {
  apiVersion: typeof ARTIFACT_API;
  cluster: string;
  /** A Kustomization's target without the kind (see bindingOf); absent for other kinds. */
  kustomization?: ObjectKey;
  target: TargetRef;
  /** The inputs it was rendered from: the control plane never replaces a newer entry with an older one. */
  generation: Generation;
  /**
   * Publish order of this target's records (see sequence.ts): strictly increases with each new digest.
   * The puller accepts only the record it last applied or a strictly newer one.
   */
  sequence: number;
}

export interface ArtifactPayload extends Bound {
  kind: 'Artifact';
  source: { url: string; revision: string };
  renderKey: string;
  apply: ApplyOptions;
  /** In apply order. */
  objects: KubeObject[];
  /**
   * Present when the artifact holds secrets (Secrets, a HelmRelease's values): they are sealed for this
   * cluster (core/secrets/seal-artifact.ts) and this is the data key, wrapped, that opens them.
   */
  seal?: WrappedKey;
  /** Present on a signed rollback (rollback.ts): this content restored from an earlier artifact. */
  rollback?: RollbackRecord;
}

/** Flux's deletion policies other than the default MirrorPrune (prune on removal only when `prune` is true). */
export type RemovalPolicy = 'Delete' | 'WaitForTermination' | 'Orphan';

/** A signed removal: the target is gone from the fleet and its objects are to be pruned. */
export interface TombstonePayload extends Bound {
  kind: 'Tombstone';
  deleted: true;
  revision: string;
  /**
   * The removed Kustomization's last published `spec.deletionPolicy`, as Flux's finalizer reads the spec of
   * the object being deleted; absent (older tombstones too) is MirrorPrune.
   */
  deletionPolicy?: RemovalPolicy;
  /** With WaitForTermination: how long the puller waits for the deleted objects to be gone (spec.timeout). */
  timeoutMs?: number;
  /**
   * Its last published record was suspended: Flux's finalizers delete nothing for a suspended Kustomization
   * or HelmRelease, so the puller leaves everything in place.
   */
  suspended?: true;
}

export type SignedPayload = ArtifactPayload | TombstonePayload;

export interface Signed<P extends SignedPayload = SignedPayload> {
  digest: string;
  keyId: string;
  /** base64 DER ECDSA P-256 / SHA-256 signature over the UTF-8 bytes of `digest`. */
  signature: string;
  payload: P;
}

export type SignedArtifact = Signed<ArtifactPayload>;

export function digestOf(payload: SignedPayload): string {
  return `sha256:${createHash('sha256').update(canonicalJson(payload)).digest('hex')}`;
}

/** Content address inside the object store. */
export function artifactKey(cluster: string, digest: string): string {
  return `${storePrefixes.clusterArtifacts(cluster)}${digest.replace(/^sha256:/, '')}.json`;
}
