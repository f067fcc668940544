// Everything the pipeline use-cases need, as ports. The embedded runner, the Lambda handlers and the
// tests each assemble one of these; the use-cases never know which.
import type { Clock } from '../ports/clock.ts';
import type { GitCredentials, GitSource } from '../ports/git-source.ts';
import type { KeyService } from '../ports/key-service.ts';
import type { Logger } from '../ports/logger.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { Queue } from '../ports/queue.ts';
import type { RenderDeps } from './render-kustomization.ts';

export interface QueueNames {
  fetch: string;
  render: string;
  /** Dead-letter queue of each of the above, by queue name. */
  deadLetter: (queue: string) => string;
  cluster: (cluster: string) => string;
  /** A cluster's reports channel: only its puller may send to it, so the queue names the cluster. */
  reports: (cluster: string) => string;
  /** The cluster whose reports channel this queue is, or undefined. */
  clusterOfReports: (queue: string) => string | undefined;
}

export function defaultQueueNames(prefix = 'sluice'): QueueNames {
  return {
    fetch: `${prefix}-fetch.fifo`,
    render: `${prefix}-render.fifo`,
    deadLetter: (queue) => (queue.endsWith('.fifo') ? queue.replace(/\.fifo$/, '-dlq.fifo') : `${queue}-dlq`),
    cluster: (cluster) => `${prefix}-cluster-${cluster}`,
    reports: (cluster) => `${prefix}-reports-${cluster}`,
    clusterOfReports: (queue) => {
      const name = queue.split(/[:/]/).pop() ?? '';
      return name.startsWith(`${prefix}-reports-`) ? name.slice(`${prefix}-reports-`.length) : undefined;
    },
  };
}

export interface PipelineSettings {
  clusters: string[];
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

export interface PipelineDeps {
  store: ObjectStore;
  queue: Queue;
  keys: KeyService;
  git: GitSource;
  render: RenderDeps;
  clock: Clock;
  log: Logger;
  queues: QueueNames;
  settings: PipelineSettings;
}
