// Use-case: everything `sluice status` and the status API show: sources with their revisions and errors,
// and per cluster each Kustomization's published artifact, render status and apply status.

import { redactUrl } from '../core/git/select-ref.ts';
import type { ApplyReport } from '../core/pipeline/jobs.ts';
import type {
  DeclarerRef,
  FetchSpec,
  FetchState,
  IndexEntry,
  KustomizationRecord,
  RenderStatus,
} from '../core/pipeline/records.ts';
import { declarerRef } from '../core/pipeline/source-declarations.ts';
import { isFetchSpecKey, keyFromPath, stateKeys } from '../core/pipeline/state-keys.ts';
import { getJson } from '../ports/object-store.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { loadDeclarations } from './source-declarations.ts';

export interface StatusView {
  sources: {
    sourceKey: string;
    url: string;
    /** Every declarer, for people; `declarers` is the same as data, for lookups by name. */
    declaredBy: string;
    /** The GitRepositories declaring it (no cluster: the fleet repository); empty for a source recorded by an earlier version and not declared since. */
    declarers: DeclarerRef[];
    revision?: string;
    generation: number;
    fetchedAt?: string;
    error?: FetchState['error'];
  }[];
  clusters: {
    name: string;
    kustomizations: {
      namespace: string;
      name: string;
      path?: string;
      artifact?: IndexEntry;
      render?: RenderStatus;
      apply?: ApplyReport;
    }[];
  }[];
}

export async function readStatus(deps: Pick<PipelineDeps, 'store' | 'settings'>): Promise<StatusView> {
  const sources: StatusView['sources'] = [];
  for (const path of await deps.store.list(stateKeys.fetchSpecs())) {
    if (!isFetchSpecKey(path)) continue;
    const spec = await getJson<FetchSpec>(deps.store, path);
    if (!spec) continue;
    const state = await getJson<FetchState>(deps.store, stateKeys.fetchState(spec.sourceKey));
    const declared = await loadDeclarations(deps.store, spec);
    sources.push({
      sourceKey: spec.sourceKey,
      url: redactUrl(spec.url),
      declaredBy: declared.declaredBy,
      declarers: declared.declarers.map(declarerRef),
      generation: state?.generation ?? 0,
      ...(state?.revision && { revision: state.revision }),
      ...(state?.fetchedAt && { fetchedAt: state.fetchedAt }),
      ...(state?.error && { error: state.error }),
    });
  }
  const clusters: StatusView['clusters'] = [];
  for (const name of deps.settings.clusters) {
    const names = new Map<string, { namespace: string; name: string }>();
    for (const prefix of [stateKeys.kustomizations(name), stateKeys.indexes(name)]) {
      for (const path of await deps.store.list(prefix)) {
        const key = keyFromPath(path, prefix);
        names.set(`${key.namespace}/${key.name}`, key);
      }
    }
    const kustomizations: StatusView['clusters'][number]['kustomizations'] = [];
    for (const key of [...names.values()].sort((a, b) =>
      `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
    )) {
      const [record, artifact, render, apply] = await Promise.all([
        getJson<KustomizationRecord>(deps.store, stateKeys.kustomization(name, key)),
        getJson<IndexEntry>(deps.store, stateKeys.index(name, key)),
        getJson<RenderStatus>(deps.store, stateKeys.renderStatus(name, key)),
        getJson<ApplyReport>(deps.store, stateKeys.applyStatus(name, key)),
      ]);
      if (!record && artifact?.deleted && !apply) continue;
      kustomizations.push({
        ...key,
        ...(record?.kustomization.spec.path && { path: record.kustomization.spec.path }),
        ...(artifact && { artifact }),
        ...(render && { render }),
        ...(apply && { apply }),
      });
    }
    clusters.push({ name, kustomizations });
  }
  return { sources, clusters };
}
