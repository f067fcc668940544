// Use-case: everything `sluice status` and the status API show: sources with their revisions and errors,
// and per cluster each target's published artifact, render status and apply status.

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
import { kustomizationTarget, type Target, type TargetKind, targetKey } from '../core/pipeline/target.ts';
import { getJson } from '../ports/object-store.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { loadDeclarations } from './source-declarations.ts';
import { listIndexedTargets, readApplyStatus, readIndexEntry, readRenderStatus } from './target-records.ts';

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
    /** Every target (the name is historical: Kustomizations were the only kind). */
    kustomizations: {
      kind: TargetKind;
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
    const targets = new Map<string, Target>();
    const declared = stateKeys.kustomizations(name);
    for (const path of await deps.store.list(declared)) {
      const target = kustomizationTarget(keyFromPath(path, declared));
      targets.set(targetKey(target), target);
    }
    for (const target of await listIndexedTargets(deps.store, name)) targets.set(targetKey(target), target);
    const kustomizations: StatusView['clusters'][number]['kustomizations'] = [];
    const ordered = [...targets.values()].sort(
      (a, b) =>
        `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`) || a.kind.localeCompare(b.kind),
    );
    for (const target of ordered) {
      const [record, artifact, render, apply] = await Promise.all([
        getJson<KustomizationRecord>(deps.store, stateKeys.targetRecord(name, target)),
        readIndexEntry(deps.store, name, target),
        readRenderStatus(deps.store, name, target),
        readApplyStatus(deps.store, name, target),
      ]);
      if (!record && artifact?.deleted && !apply) continue;
      kustomizations.push({
        ...target,
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
