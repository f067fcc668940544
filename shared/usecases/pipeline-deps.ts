// Everything the pipeline use-cases need, as ports. The embedded runner, the Lambda handlers and the
// tests each assemble one of these; the use-cases never know which.
import type { ClusterRootSettings } from '../core/fleet/cluster-root.ts';
import { type QueueNames, queueNames } from '../core/pipeline/resource-names.ts';
import type { ArtifactComposer } from '../ports/artifact-composer.ts';
import type { BucketSource } from '../ports/bucket-source.ts';
import type { ChartBuilder } from '../ports/chart-builder.ts';
import type { Clock } from '../ports/clock.ts';
import type { DataKeyService } from '../ports/data-keys.ts';
import type { GitCredentials, GitSource } from '../ports/git-source.ts';
import type { HelmRepositoryClient } from '../ports/helm-repository.ts';
import type { KeyService } from '../ports/key-service.ts';
import type { Logger } from '../ports/logger.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { OciArtifactSource } from '../ports/oci-registry.ts';
import type { Queue } from '../ports/queue.ts';
import type { SnapshotBundler } from '../ports/snapshot-bundler.ts';
import type { RenderDeps } from './render-kustomization.ts';

export type { QueueNames };

/** The queue names of one deployment; defined with the stacks' in core/pipeline/resource-names.ts. */
export const defaultQueueNames = queueNames;

export interface PipelineSettings {
  clusters: string[];
  /** Where each cluster starts in the fleet (path, branch, root names, variables); unset: `clusters/<name>`. */
  clusterRoots?: Record<string, ClusterRootSettings>;
  /** Flux's StrictPostBuildSubstitutions; on by default as in kustomize-controller ≥ 1.9. */
  strictSubstitution: boolean;
  allowRemoteBases: boolean;
  /** Local directory where source snapshots are unpacked for rendering. */
  snapshotsDir: string;
  /** Credentials for the fleet repository (embedded mode: its own Git server's token); never stored. */
  fleetCredentials?: GitCredentials;
  /** Flux's `--no-cross-namespace-refs`: a Kustomization may reference only its own namespace. Default off. */
  noCrossNamespaceRefs?: boolean;
  /** Defaults in DEFAULT_RENDER_LIMITS (10,000 objects, 500 children). */
  maxObjectsPerRender?: number;
  maxChildrenPerKustomization?: number;
}

/** The fetch stage's adapters for sources other than Git. */
export interface SourceAdapters {
  oci: OciArtifactSource;
  helm: HelmRepositoryClient;
  charts: ChartBuilder;
  bucket: BucketSource;
  /** ArtifactGenerator outputs: composed from the cluster's stored snapshots, no network. */
  artifacts: ArtifactComposer;
  /** Writes a fetched index.yaml as a snapshot directory (named by its digest); returns the directory. */
  writeIndexSnapshot(bytes: Buffer, digest: string): Promise<string>;
}

export interface PipelineDeps {
  store: ObjectStore;
  queue: Queue;
  keys: KeyService;
  /** Makes and opens each cluster's data key: Secret values are sealed with it in artifacts and records. */
  dataKeys: DataKeyService;
  git: GitSource;
  sources: SourceAdapters;
  /** Packs a fetched snapshot for the store and unpacks it for a render elsewhere. */
  snapshots: SnapshotBundler;
  render: RenderDeps;
  clock: Clock;
  log: Logger;
  queues: QueueNames;
  settings: PipelineSettings;
}
