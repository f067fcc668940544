// The records the control plane keeps in its object store (see state-keys.ts for where each one lives).

import type { GeneratorSource, OutputArtifact } from '../../api/artifact-generator.ts';
import type { GitRepositoryRef } from '../../api/git-repository.ts';
import type { HelmRelease } from '../../api/helm-release.ts';
import type { Kustomization } from '../../api/kustomization.ts';
import type { Generation } from '../artifact/generation.ts';
import type { RollbackRecord } from '../artifact/rollback.ts';
import type { FluxObjectFound } from '../check/flux-object-found.ts';
import type { WrappedKey } from '../secrets/wrapped-key.ts';
import type { SourceKind } from './source-kind.ts';
import type { ObjectKey } from './state-keys.ts';
import type { Target } from './target.ts';

/**
 * What to fetch: only the source's identity (what sourceKeyOf hashes), so every declarer writes the same
 * bytes. Who declared it, and how often to fetch it, is in one SourceDeclarer record per declarer.
 */
export interface FetchSpec {
  sourceKey: string;
  /** Absent on records of earlier versions and on Git sources: GitRepository. */
  kind?: SourceKind;
  /** The repository, registry or (HelmChart) its source's URL. */
  url: string;
  ref?: GitRepositoryRef;
  ignore?: string;
  /** Secret holding credentials, as declared by a cluster's GitRepository spec.secretRef. */
  secret?: { cluster: string; namespace: string; name: string };
  /** certSecretRef of an OCIRepository or HelmRepository: CA and client certificate. */
  certSecret?: { cluster: string; namespace: string; name: string };
  /** OCIRepository fields. */
  oci?: OciFetchFields;
  /** HelmRepository fields. */
  helmRepository?: HelmRepositoryFetchFields;
  /** HelmChart fields. */
  helmChart?: HelmChartFetchFields;
  /** Bucket fields (url is the endpoint's `http(s)://host[:port]/<bucketName>`). */
  bucket?: BucketFetchFields;
  /** ExternalArtifact of an ArtifactGenerator: composed from the cluster's sources, no network. */
  generator?: GeneratorFetchFields;
  /** The fleet repository, fetched with the credentials the control plane holds (settings.fleetCredentials). */
  fleetCredentials?: true;
  /**
   * Written by versions before per-declarer records (last writer won): read only while the source has no
   * SourceDeclarer yet, and dropped by the next render that declares it.
   */
  intervalMs?: number;
  declaredBy?: string;
}

export interface OciFetchFields {
  ref?: { tag?: string; semver?: string; semverFilter?: string; digest?: string };
  layerSelector?: { mediaType?: string; operation?: 'extract' | 'copy' };
  insecure?: boolean;
  provider?: string;
  timeoutMs?: number;
}

export interface BucketFetchFields {
  provider: 'generic' | 'aws';
  bucketName: string;
  /** `host[:port]` as declared. */
  endpoint: string;
  insecure?: boolean;
  region?: string;
  prefix?: string;
  timeoutMs: number;
}

export interface HelmRepositoryFetchFields {
  type: 'default' | 'oci';
  passCredentials?: boolean;
  insecure?: boolean;
  provider?: string;
  timeoutMs?: number;
}

export interface HelmChartFetchFields {
  chart: string;
  version: string;
  /**
   * Its source, a cluster's HelmRepository, GitRepository or OCIRepository by name: looked up at each
   * fetch, so the source may be declared by another Kustomization, or later.
   */
  sourceRef: { cluster: string; kind: SourceKind; namespace: string; name: string };
  valuesFiles: string[];
  ignoreMissingValuesFiles: boolean;
  reconcileStrategy: 'ChartVersion' | 'Revision';
}

export interface GeneratorFetchFields {
  cluster: string;
  /** The generator's (and its artifact's) namespace and name. */
  namespace: string;
  generator: string;
  /** Its inputs, looked up in the cluster at each composition (they may be declared later, or elsewhere). */
  sources: GeneratorSource[];
  artifact: OutputArtifact;
  /** `spec.artifacts[<i>]`, for errors. */
  field: string;
  /** The fleet repository's source, when an input is its GitRepository (flux-system/flux-system). */
  fleetSourceKey?: string;
}

/** Which object declares a source: a cluster's GitRepository, or (no cluster) the fleet repository. */
export interface DeclarerRef {
  /** Absent for the fleet repository, which the control plane's configuration declares. */
  cluster?: string;
  /** Absent on GitRepositories (and records of earlier versions). */
  kind?: SourceKind;
  namespace: string;
  name: string;
}

/** One declaration of a source (stateKeys.sourceDeclarer); only the render that declared it writes it. */
export interface SourceDeclarer extends DeclarerRef {
  intervalMs: number;
  /** spec.suspend: a source every declarer suspends is not fetched. */
  suspended?: boolean;
  /** The Kustomization whose render declared it; absent for the fleet repository. */
  parent?: ObjectKey;
}

export interface FetchState {
  sourceKey: string;
  /** Bumped on every fetch that moved the revision; renders carry it as their generation. */
  generation: number;
  revision?: string;
  commit?: string;
  /** Names the fetched file set (repository, commit, ignore rules): render keys and local directories. */
  snapshotDigest?: string;
  /** `sha256:` of the stored snapshot bundle's bytes, which names it in the store; checked on every load. */
  bundleDigest?: string;
  fetchedAt?: string;
  lastAttemptAt?: string;
  error?: { code: string; message: string; at: string };
  /** HelmRepository: the index's ETag, sent as If-None-Match next time. */
  etag?: string;
  /** Digest of the artifact (OCI manifest, chart archive, index): what `sluice status` shows. */
  artifactDigest?: string;
  /** HelmChart: the chart name and version built. */
  chart?: { name: string; version: string };
  /** Set while the render jobs of a new revision are being queued. */
  rendersPending?: boolean;
}

/** A cluster's GitRepository name → its fetch identity; written by the render that declared it. */
export interface ClusterSourceRecord {
  sourceKey: string;
  parent: ObjectKey;
}

/**
 * Who waits for a source its cluster has not declared yet: a target registered before a sibling declares
 * its source, or a HelmChart (by its fetch identity, `sourceKey`) before its repository.
 */
export interface SourceWaiter {
  kind: 'Kustomization' | 'HelmRelease' | 'HelmChart';
  namespace: string;
  name: string;
  sourceKey?: string;
}

/** A ConfigMap or Secret a render declared, for substituteFrom (and, for Secrets, Git credentials). */
export interface ConfigRecord {
  kind: 'ConfigMap' | 'Secret';
  namespace: string;
  name: string;
  data: Record<string, string>;
  parent: ObjectKey;
  /** A Secret's: its values are sealed for the cluster (core/secrets/seal-config.ts) with this data key. */
  seal?: WrappedKey;
}

/** A cluster's data key as the key service wrapped it, and when it was made (it is replaced when old). */
export interface DataKeyRecord {
  wrapped: WrappedKey;
  createdAt: string;
}

/** What one Kustomization's render declared: what to withdraw once it declares them no more. */
export interface Declarations {
  /** `namespace/name` of each child Kustomization. */
  kustomizations: string[];
  /** `namespace/name` of each HelmRelease; absent when written by an earlier version. */
  helmReleases?: string[];
  /** Opaque references (StateStore.putConfig) to its ConfigMaps/Secrets. */
  configs: string[];
  /** `namespace/name` of each GitRepository, `Kind/namespace/name` of other sources (source-kind.ts). */
  sources: string[];
  /** Opaque references (StateStore.putDeclarer); absent when written by an earlier version. */
  sourceDeclarers?: string[];
}

export interface KustomizationRecord {
  cluster: string;
  kustomization: Kustomization;
  sourceKey: string;
  /** The Kustomization whose render declared this one; null for a cluster's root. */
  parent: ObjectKey | null;
  /** `namespace/name` of the Kustomizations above it, root first (cycle and depth checks). */
  ancestors?: string[];
}

/** A HelmRelease declared by a render: its spec, the source of its chart and the parent that declared it. */
export interface HelmReleaseRecord {
  cluster: string;
  helmRelease: HelmRelease;
  /** The chart's source: the HelmChart its spec.chart implies, or its chartRef (HelmChart or OCIRepository). */
  sourceKey: string;
  parent: ObjectKey | null;
  ancestors?: string[];
}

/** Every target's declared record, one member per kind. */
export type TargetRecord = KustomizationRecord | HelmReleaseRecord;

/** A cluster's capabilities as its puller reported them: what `helm template` renders against. */
export interface ClusterCapabilities {
  /** `v1.33.1` */
  kubeVersion: string;
  /** `group/version` and `group/version/Kind` (core: `v1`, `v1/Pod`), sorted, as Helm's APIVersions. */
  apiVersions: string[];
}

export interface IndexEntry {
  /** The target is where the entry lives in the store (stateKeys.index); readers trust that, not this. */
  target: Target;
  generation: Generation;
  /** Publish sequence of the record it points at; its render job (the only writer) counts on from it. */
  sequence?: number;
  revision: string;
  renderKey: string;
  publishedAt: string;
  /** The signed artifact, or on a tombstone the signed removal; the entry itself is only a pointer. */
  digest?: string;
  artifactKey?: string;
  /** The Kustomization was removed and its objects are to be pruned (only a signed tombstone counts). */
  deleted?: boolean;
  /**
   * Set when the entry points at a signed rollback: a copy of its record, for status only (the render job
   * reads the signed one).
   */
  rollback?: RollbackRecord;
}

export interface RenderStatus {
  target: Target;
  ready: boolean;
  reason: string;
  message: string;
  revision?: string;
  digest?: string;
  warnings: string[];
  /** The Flux objects the render found and what it did with each (sluice check); absent before this version. */
  fluxObjects?: FluxObjectFound[];
  /** On a failure: whether retrying can help (the scheduler renders it again at its retryInterval). */
  retryable?: boolean;
  at: string;
}
