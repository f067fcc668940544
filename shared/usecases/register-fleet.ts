// Use-case: start-up registration from the control plane's configuration. The fleet repository becomes a
// source per branch the clusters follow (like Flux's flux-system GitRepository), and every declared cluster
// gets its root Kustomization at its configured path (`clusters/<name>` unless set), as `flux bootstrap` makes it.
import { decodeResource } from '../api/decode-resource.ts';
import type { Kustomization } from '../api/kustomization.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import {
  type ClusterRoot,
  type ClusterRootSettings,
  DEFAULT_ROOT,
  resolveClusterRoot,
} from '../core/fleet/cluster-root.ts';
import type { FetchSpec, KustomizationRecord, SourceDeclarer } from '../core/pipeline/records.ts';
import { sourceKeyOf } from '../core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../core/pipeline/target.ts';
import type { GitCredentials } from '../ports/git-source.ts';
import { enqueueFetch, enqueueRender } from './enqueue.ts';
import { readRootNames, writeRootNames } from './fleet-root-names.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { stateOf } from './state-store.ts';

export interface FleetConfig {
  url: string;
  branch: string;
  intervalMs: number;
  /** Held in memory only (deps.settings.fleetCredentials); the stored spec just says the fleet needs them. */
  credentials?: GitCredentials;
}

export const ROOT = DEFAULT_ROOT;

/** The fleet source a cluster renders from: its GitRepository flux-system for every child that names it. */
export type FleetKeyOf = (cluster: string) => string;

export function fleetSourceKey(fleet: FleetConfig, branch: string = fleet.branch): string {
  // The credentials are part of the identity: no declared GitRepository can share (or overwrite) this source.
  return sourceKeyOf({
    url: fleet.url,
    ref: { branch },
    ...(fleet.credentials && { secret: { fleetCredentials: true } }),
  });
}

/** Each cluster's fleet source: one per branch, so clusters on one branch share a fetch and a snapshot. */
export function fleetKeysOf(fleet: FleetConfig, roots: Record<string, ClusterRootSettings> = {}): FleetKeyOf {
  const fallback = fleetSourceKey(fleet);
  const keys = new Map(
    Object.entries(roots).map(([cluster, s]) => [cluster, fleetSourceKey(fleet, s.branch ?? fleet.branch)]),
  );
  return (cluster) => keys.get(cluster) ?? fallback;
}

/**
 * The root Kustomization as `flux bootstrap` writes it in gotk-sync.yaml, with the cluster's variables. Decoded
 * like a fleet file, so a gotk-sync.yaml saying the same (adopt-root.ts) is the very same spec.
 */
export function rootKustomization(root: ClusterRoot | string, fleet: FleetConfig): Kustomization {
  const r = typeof root === 'string' ? resolveClusterRoot(root, undefined, fleet.branch) : root;
  const hasVariables = Object.keys(r.variables).length > 0;
  const decoded = decodeResource(
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { ...r.root },
      spec: {
        interval: `${Math.max(1, Math.round(fleet.intervalMs / 1000))}s`,
        path: `./${r.path}`,
        prune: true,
        sourceRef: { kind: 'GitRepository', ...r.root },
        ...(hasVariables && { postBuild: { substitute: { ...r.variables } } }),
      },
    },
    { file: 'sluice configuration', document: 0 },
  );
  if (decoded.kind !== 'Kustomization') throw new Error('unreachable: the root is a Kustomization');
  return { ...decoded, spec: { ...decoded.spec, intervalMs: fleet.intervalMs } };
}

export async function registerFleet(deps: PipelineDeps, fleet: FleetConfig): Promise<FleetKeyOf> {
  const roots = deps.settings.clusterRoots ?? {};
  const keyOf = fleetKeysOf(fleet, roots);
  const state = stateOf(deps);
  const branches = new Map<string, string>();
  for (const cluster of deps.settings.clusters)
    branches.set(keyOf(cluster), roots[cluster]?.branch ?? fleet.branch);
  for (const [sourceKey, branch] of branches) {
    const spec: FetchSpec = {
      sourceKey,
      url: fleet.url,
      ref: { branch },
      ...(fleet.credentials && { fleetCredentials: true }),
    };
    await state.putFetchSpec(spec);
    // Its own declaration: a cluster's GitRepository of the same repository and branch is another one.
    const declarer: SourceDeclarer = { ...ROOT, intervalMs: fleet.intervalMs };
    await state.putDeclarer(sourceKey, declarer);
  }
  for (const cluster of deps.settings.clusters)
    await registerRoot(
      deps,
      resolveClusterRoot(cluster, roots[cluster], fleet.branch),
      fleet,
      keyOf(cluster),
    );
  for (const sourceKey of branches.keys()) await enqueueFetch(deps, sourceKey, 'startup', deps.clock.now());
  return keyOf;
}

async function registerRoot(
  deps: PipelineDeps,
  root: ClusterRoot,
  fleet: FleetConfig,
  sourceKey: string,
): Promise<void> {
  const state = stateOf(deps);
  const { cluster } = root;
  // The fleet is the cluster's root GitRepository (gotk-sync.yaml): a child or a HelmChart may name it.
  await state.putClusterSource(cluster, root.root, { sourceKey, parent: root.root });
  await withdrawRenamedRoot(deps, root);
  const record: KustomizationRecord = {
    cluster,
    kustomization: rootKustomization(root, fleet),
    sourceKey,
    parent: null,
  };
  const target = kustomizationTarget(root.root);
  const existing = await state.getTargetRecord(cluster, target);
  if (existing && canonicalJson(existing) === canonicalJson(record)) return;
  // Another branch: the root no longer follows the source it was subscribed to.
  if (existing?.sourceKey && existing.sourceKey !== sourceKey)
    await state.unsubscribe(existing.sourceKey, cluster, target);
  await state.putTargetRecord(record);
  await state.subscribe(sourceKey, cluster, target);
  await enqueueRender(deps, cluster, target);
}

/**
 * The root was renamed: the one registered before (flux-system/flux-system before any record of names) is
 * withdrawn. Its tombstone prunes only what still carries its owner labels (what the new root applied again
 * is the new root's), and the new root takes over its children (fleet-root-names.ts).
 */
async function withdrawRenamedRoot(deps: PipelineDeps, root: ClusterRoot): Promise<void> {
  const state = stateOf(deps);
  const recorded = await readRootNames(deps.store, root.cluster);
  const last = recorded ?? ROOT;
  const renamed = last.name !== root.root.name || last.namespace !== root.root.namespace;
  if (renamed) {
    const target = kustomizationTarget(last);
    const before = await state.getTargetRecord(root.cluster, target);
    if (before && before.parent === null) {
      await state.deleteTargetRecord(root.cluster, target);
      if (before.sourceKey) await state.unsubscribe(before.sourceKey, root.cluster, target);
      await enqueueRender(deps, root.cluster, target);
    }
  }
  if (renamed || !recorded)
    await writeRootNames(deps.store, root.cluster, root.root, recorded ?? (renamed ? ROOT : undefined));
}
