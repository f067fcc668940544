// What the source-fetch tests share: a fetch worker's deps on the shared store (its own cache folder and
// address policy), Flux source objects as a fleet declares them, and their declaration by a cluster's root
// Kustomization `sources`, registered as its render does.
import { join } from 'node:path';
import { IsomorphicGitSource } from '../../shared/adapters/git/isomorphic-git-source.ts';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import type { Kustomization } from '../../shared/api/kustomization.ts';
import { createSourceAdapters } from '../../shared/config/source-adapters.ts';
import type { SourceAddressPolicy } from '../../shared/core/net/source-address-policy.ts';
import type { FetchState, KustomizationRecord } from '../../shared/core/pipeline/records.ts';
import type { SourceKind } from '../../shared/core/pipeline/source-kind.ts';
import { splitRenderedObjects } from '../../shared/core/pipeline/split-rendered-objects.ts';
import type { PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { registerChildren } from '../../shared/usecases/register-children.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';

type Raw = Record<string, unknown>;

/** The namespace the fleet's sources live in. */
export const NS = 'flux-system';
/** The fleet's own source key: the parent of everything a test declares. */
const FLEET = 'fleet-source-key';

/** A fetch worker on `deps`' store whose git and chart caches live in `<cacheDir>` (snapshots below it). */
export function fetchWorkerDeps(
  deps: PipelineDeps,
  cacheDir: string,
  policy: SourceAddressPolicy,
): PipelineDeps {
  const snapshotsDir = join(cacheDir, 'snapshots');
  return {
    ...deps,
    git: new IsomorphicGitSource({ cacheDir, addressPolicy: policy }),
    sources: createSourceAdapters({ snapshotsDir, policy }),
    settings: { ...deps.settings, snapshotsDir },
  };
}

/** A Flux object of `kind` in `namespace` with `interval: 10m` and `spec`. */
export const fluxObject =
  (kind: string, apiVersion = 'source.toolkit.fluxcd.io/v1') =>
  (name: string, spec: Raw, namespace = NS): Raw => ({
    apiVersion,
    kind,
    metadata: { name, namespace },
    spec: { interval: '10m', ...spec },
  });

export const gitRepository = (name: string, url: string, namespace = NS): Raw =>
  fluxObject('GitRepository')(name, { url, ref: { branch: 'main' } }, namespace);

export const secret = (name: string, data: Record<string, string>): Raw => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: NS },
  stringData: data,
});

/** What a render of `cluster`'s root Kustomization `sources` declared, registered as the render does. */
export async function declareSources(deps: PipelineDeps, cluster: string, objects: Raw[]): Promise<void> {
  const parent: KustomizationRecord = {
    cluster,
    kustomization: decodeResource(
      fluxObject('Kustomization', 'kustomize.toolkit.fluxcd.io/v1')('sources', {
        path: './sources',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      }),
      { file: `clusters/${cluster}/sources.yaml`, document: 0 },
    ) as Kustomization,
    sourceKey: FLEET,
    parent: null,
  };
  await registerChildren(deps, parent, splitRenderedObjects(objects, `Kustomization/${NS}/sources`), FLEET);
}

/** The source key of `kind/name` as `cluster` declared it. */
export async function sourceKeyIn(
  deps: PipelineDeps,
  cluster: string,
  kind: SourceKind,
  name: string,
): Promise<string> {
  const record = await stateOf(deps).getClusterSource(cluster, { namespace: NS, name }, kind);
  if (!record) throw new Error(`${kind}/${name} is not registered in ${cluster}`);
  return record.sourceKey;
}

/** The fetch state of `kind/name` as `cluster` declared it. */
export async function sourceStateIn(
  deps: PipelineDeps,
  cluster: string,
  kind: SourceKind,
  name: string,
): Promise<FetchState | undefined> {
  return stateOf(deps).getFetchState(await sourceKeyIn(deps, cluster, kind, name));
}
