// Use-case: everything `sluice status` and the status API show: sources with their revisions and errors,
// and per cluster each target's published artifact, render status and apply status.

import { isSluiceError } from '../core/errors.ts';
import type { FleetLayoutNote } from '../core/fleet/fleet-layout.ts';
import { redactUrl } from '../core/git/select-ref.ts';
import type { ApplyReport } from '../core/pipeline/jobs.ts';
import type { DeclarerRef, FetchState, IndexEntry, RenderStatus } from '../core/pipeline/records.ts';
import { declarerRef } from '../core/pipeline/source-declarations.ts';
import type { SourceKind } from '../core/pipeline/source-kind.ts';
import { type Condition, conditionsOf } from '../core/pipeline/status-conditions.ts';
import { type Target, type TargetKind, targetKey } from '../core/pipeline/target.ts';
import { asKustomizationRecord } from '../core/pipeline/target-record.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { readFleetLayout } from './report-fleet-layout.ts';
import { loadDeclarations } from './source-declarations.ts';
import { stateOf } from './state-store.ts';

/** The embedded control plane's own puller: running for one cluster, or off and why. */
export type LocalPullerState = { state: 'running'; cluster: string } | { state: 'off'; reason: string };

export interface StatusView {
  /** The fleet's directories against the declared clusters: missing paths, undeclared cluster roots. */
  fleet?: { notes: FleetLayoutNote[] };
  /** Set by the embedded control plane only (the cloud has no puller of its own): why nothing may be applied. */
  localPuller?: LocalPullerState;
  sources: {
    sourceKey: string;
    /** GitRepository, OCIRepository, Bucket, HelmRepository or HelmChart. */
    kind: SourceKind;
    url: string;
    /** Every declarer, for people; `declarers` is the same as data, for lookups by name. */
    declaredBy: string;
    /** The GitRepositories declaring it (no cluster: the fleet repository); empty for a source recorded by an earlier version and not declared since. */
    declarers: DeclarerRef[];
    revision?: string;
    /** The artifact's digest (OCI manifest, index, chart archive). */
    digest?: string;
    /** HelmChart: the chart and version built. */
    chart?: { name: string; version: string };
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
      /** HelmRelease: the chart and version its source built last. */
      chart?: { name: string; version: string };
      artifact?: IndexEntry;
      render?: RenderStatus;
      apply?: ApplyReport;
      /** The apply status as Flux's conditions (Ready, Reconciling, Stalled). */
      conditions?: Condition[];
      /** Records of this target that could not be read (ConfigInvalid messages naming the key); left out above. */
      unreadable?: string[];
    }[];
  }[];
}

export async function readStatus(deps: Pick<PipelineDeps, 'store' | 'settings'>): Promise<StatusView> {
  const store = stateOf(deps);
  const sources: StatusView['sources'] = [];
  for (const spec of await store.listFetchSpecs()) {
    const state = await store.getFetchState(spec.sourceKey);
    const declared = await loadDeclarations(store, spec);
    sources.push({
      sourceKey: spec.sourceKey,
      kind: spec.kind ?? 'GitRepository',
      url: redactUrl(spec.url),
      declaredBy: declared.declaredBy,
      declarers: declared.declarers.map(declarerRef),
      generation: state?.generation ?? 0,
      ...(state?.revision && { revision: state.revision }),
      ...(state?.artifactDigest && { digest: state.artifactDigest }),
      ...(state?.chart && { chart: state.chart }),
      ...(state?.fetchedAt && { fetchedAt: state.fetchedAt }),
      ...(state?.error && { error: state.error }),
    });
  }
  const clusters: StatusView['clusters'] = [];
  for (const name of deps.settings.clusters) {
    const targets = new Map<string, Target>();
    for (const target of [
      ...(await store.listDeclaredTargets(name)),
      ...(await store.listIndexedTargets(name)),
    ])
      targets.set(targetKey(target), target);
    const kustomizations: StatusView['clusters'][number]['kustomizations'] = [];
    const ordered = [...targets.values()].sort(
      (a, b) =>
        `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`) || a.kind.localeCompare(b.kind),
    );
    for (const target of ordered) {
      // One unreadable record (written by something else than Sluice) shows on its target, not as a failed status.
      const unreadable: string[] = [];
      const readable = <T>(read: Promise<T>) =>
        read.catch((err: unknown) => {
          if (!isSluiceError(err) || err.code !== 'ConfigInvalid') throw err;
          unreadable.push(err.message);
          return undefined;
        });
      const [record, artifact, render, apply] = await Promise.all([
        readable(store.getTargetRecord(name, target)),
        readable(store.getIndexEntry(name, target)),
        readable(store.getRenderStatus(name, target)),
        readable(store.getApplyStatus(name, target)),
      ]);
      if (!record && artifact?.deleted && !apply) continue;
      const chart =
        record && target.kind === 'HelmRelease' && record.sourceKey
          ? (await store.getFetchState(record.sourceKey))?.chart
          : undefined;
      kustomizations.push({
        ...target,
        ...(asKustomizationRecord(record)?.kustomization.spec.path && {
          path: asKustomizationRecord(record)?.kustomization.spec.path,
        }),
        ...(chart && { chart }),
        // The render key digests the render's inputs, substituted Secret values included: status readers
        // (loopback needs no token) must not get a digest to test guesses of a weak secret against.
        ...(artifact && { artifact: { ...artifact, renderKey: '' } }),
        ...(render && { render }),
        ...(apply && { apply, conditions: conditionsOf(apply) }),
        ...(unreadable.length > 0 && { unreadable }),
      });
    }
    clusters.push({ name, kustomizations });
  }
  const fleet = await fleetNotes(deps);
  return { ...(fleet.length > 0 && { fleet: { notes: fleet } }), sources, clusters };
}

/** Each cluster's root render checks the layout; one note per path (or per missing cluster), from all of them. */
async function fleetNotes(deps: Pick<PipelineDeps, 'store' | 'settings'>): Promise<FleetLayoutNote[]> {
  const notes = new Map<string, FleetLayoutNote>();
  for (const cluster of deps.settings.clusters) {
    const layout = await readFleetLayout(deps.store, cluster).catch(() => undefined);
    for (const note of layout?.notes ?? [])
      notes.set(`${note.kind}/${note.cluster ?? ''}/${note.path}`, note);
  }
  return [...notes.values()];
}
