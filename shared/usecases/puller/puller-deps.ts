// What the in-cluster puller needs: read access to its cluster's artifacts and index, its queue, its own
// reports queue, the Kubernetes API, and the public key artifacts must verify against.
import type { ClusterCapabilities } from '../../core/pipeline/records.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ClusterApi } from '../../ports/cluster-api.ts';
import type { DataKeyUnwrapper } from '../../ports/data-keys.ts';
import type { Logger } from '../../ports/logger.ts';
import type { ObjectStore } from '../../ports/object-store.ts';
import type { PullerMetrics } from '../../ports/puller-metrics.ts';
import type { Queue } from '../../ports/queue.ts';

export interface PullerDeps {
  cluster: string;
  store: ObjectStore;
  queue: Queue;
  kube: ClusterApi;
  publicKeyPem: string;
  /** Opens this cluster's data keys (and no other cluster's: the key service checks the caller). */
  dataKeys: DataKeyUnwrapper;
  clock: Clock;
  log: Logger;
  /** `reports`: this cluster's own reports channel (the control plane takes the cluster from it). */
  queues: { cluster: string; reports: string };
  fieldManager: string;
  /** Namespace holding the puller's inventories (created if missing). */
  inventoryNamespace: string;
  /** How long to wait for CRDs and Namespaces to become established between stages. */
  establishTimeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  /**
   * A service account (name only) that targets without `serviceAccountName` are applied as, in their own
   * namespace (Flux's --default-service-account); unset, they are applied with the puller's own rights.
   */
  defaultServiceAccount?: string;
  /** Where each target's reconcile is counted and timed (/metrics); nothing when absent. */
  metrics?: PullerMetrics;
  /** How many targets reconcile at once (Flux's --concurrent; default 4). */
  concurrency?: number;
  /** The API server's version and API versions (discovery), reported for HelmRelease renders. */
  capabilities?: () => Promise<ClusterCapabilities>;
  /**
   * Gives memory back to the system once a pass is over and nothing else runs (a full, compacting garbage
   * collection in the image). A process that then sleeps on its long poll never collects by itself, so
   * what one pass left behind (about 2 MiB) stayed resident until the next; absent, nothing is done.
   */
  releaseMemory?: () => void;
}
