// The names both the stacks (stacks/queues.ts, stacks/policies.ts) and the runtime agree on: queue names
// and the object store's top-level prefixes. Pure and import-free, so the infrastructure code can import it.

/** The prefix of every queue of a deployed stage; the runtime reads it back from SLUICE_QUEUE_PREFIX. */
export function stagePrefix(stage: string): string {
  return `sluice-${stage}`;
}

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

/** `prefix`: `sluice` on one machine, stagePrefix(stage) in the cloud. */
export function queueNames(prefix = 'sluice'): QueueNames {
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

/**
 * The store's areas, each a key prefix ending in `/`. A cluster argument of `*` gives the wildcard form
 * IAM policies use (`clusters/*\/index/`); state-keys.ts builds every key under one of these.
 */
export const storePrefixes = {
  /** Per source: its spec, declarers, state and users. */
  fetch: 'fetch/',
  /** Source snapshot bundles, named by digest. */
  snapshots: 'snapshots/',
  /** Everything per cluster (records, index, statuses, configs), under cluster(name). */
  clusters: 'clusters/',
  cluster: (cluster: string) => `clusters/${cluster}/`,
  /** What a puller reads: the signed index entries of its cluster. */
  index: (cluster: string) => `clusters/${cluster}/index/`,
  kustomizations: (cluster: string) => `clusters/${cluster}/kustomizations/`,
  /** A cluster's declared HelmReleases (stateKeys.targetRecord). */
  helmReleases: (cluster: string) => `clusters/${cluster}/helmreleases/`,
  /** What the cluster's puller reported of its API server (stateKeys.capabilities). */
  capabilities: (cluster: string) => `clusters/${cluster}/capabilities.json`,
  /** The cluster's data key, wrapped by the key service (stateKeys.dataKey). */
  dataKey: (cluster: string) => `clusters/${cluster}/data-key.json`,
  /** A cluster's sources by name (stateKeys.source). */
  sources: (cluster: string) => `clusters/${cluster}/sources/`,
  configs: (cluster: string, kind?: 'ConfigMap' | 'Secret') =>
    `clusters/${cluster}/configs/${kind ? `${kind}/` : ''}`,
  applyStatus: (cluster: string) => `clusters/${cluster}/apply-status/`,
  /** What each target's last render did (stateKeys.renderStatus). */
  renderStatus: (cluster: string) => `clusters/${cluster}/render-status/`,
  /** Signed artifacts, per cluster under clusterArtifacts(name). */
  artifacts: 'artifacts/',
  clusterArtifacts: (cluster: string) => `artifacts/${cluster}/`,
  /** The tool sandbox's pre-signed workspaces and outputs, one folder per build. */
  sandbox: 'sandbox/',
};
