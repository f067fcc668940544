// Use-case: start-up registration from the control plane's configuration. The fleet repository becomes a
// source (like Flux's flux-system GitRepository) and every declared cluster gets its root Kustomization,
// `clusters/<name>`, as `flux bootstrap` would have created it.
import type { Kustomization } from '../api/kustomization.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import type { FetchSpec, KustomizationRecord, SourceDeclarer } from '../core/pipeline/records.ts';
import { sourceKeyOf } from '../core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../core/pipeline/target.ts';
import type { GitCredentials } from '../ports/git-source.ts';
import { enqueueFetch, enqueueRender } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { stateOf } from './state-store.ts';

export interface FleetConfig {
  url: string;
  branch: string;
  intervalMs: number;
  /** Held in memory only (deps.settings.fleetCredentials); the stored spec just says the fleet needs them. */
  credentials?: GitCredentials;
}

export const ROOT = { namespace: 'flux-system', name: 'flux-system' };

export function fleetSourceKey(fleet: FleetConfig): string {
  // The credentials are part of the identity: no declared GitRepository can share (or overwrite) this source.
  return sourceKeyOf({
    url: fleet.url,
    ref: { branch: fleet.branch },
    ...(fleet.credentials && { secret: { fleetCredentials: true } }),
  });
}

export function rootKustomization(cluster: string, fleet: FleetConfig): Kustomization {
  return {
    kind: 'Kustomization',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    metadata: { ...ROOT, labels: {}, annotations: {} },
    spec: {
      sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
      path: `./clusters/${cluster}`,
      intervalMs: fleet.intervalMs,
      prune: true,
      wait: false,
      force: false,
      suspend: false,
      ignoreMissingComponents: false,
    },
    source: { file: 'sluice configuration', document: 0 },
  };
}

export async function registerFleet(deps: PipelineDeps, fleet: FleetConfig): Promise<string> {
  const sourceKey = fleetSourceKey(fleet);
  const spec: FetchSpec = {
    sourceKey,
    url: fleet.url,
    ref: { branch: fleet.branch },
    ...(fleet.credentials && { fleetCredentials: true }),
  };
  const state = stateOf(deps);
  await state.putFetchSpec(spec);
  // Its own declaration: a cluster's GitRepository of the same repository and branch is another one.
  const declarer: SourceDeclarer = { ...ROOT, intervalMs: fleet.intervalMs };
  await state.putDeclarer(sourceKey, declarer);
  for (const cluster of deps.settings.clusters) {
    // The fleet is each cluster's GitRepository flux-system/flux-system (gotk-sync.yaml): a HelmChart may name it.
    await state.putClusterSource(cluster, ROOT, { sourceKey, parent: ROOT });
    const record: KustomizationRecord = {
      cluster,
      kustomization: rootKustomization(cluster, fleet),
      sourceKey,
      parent: null,
    };
    const root = kustomizationTarget(ROOT);
    const existing = await state.getTargetRecord(cluster, root);
    if (existing && canonicalJson(existing) === canonicalJson(record)) continue;
    await state.putTargetRecord(record);
    await state.subscribe(sourceKey, cluster, root);
    await enqueueRender(deps, cluster, root);
  }
  await enqueueFetch(deps, sourceKey, 'startup', deps.clock.now());
  return sourceKey;
}
