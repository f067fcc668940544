// What `sluice check` reads from the control plane's state for one cluster: every declared target with its
// record, render status and source, and every source the renders found. Also when that state is at rest.
import type { FluxObjectFound } from '../core/check/flux-object-found.ts';
import type { FetchState, RenderStatus } from '../core/pipeline/records.ts';
import { isSourceKind } from '../core/pipeline/source-kind.ts';
import type { Target } from '../core/pipeline/target.ts';
import type { TargetRecord } from '../ports/renderer.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { chartSourceOf } from './register-children.ts';
import { stateOf } from './state-store.ts';

export interface TargetView {
  target: Target;
  record?: TargetRecord;
  status?: RenderStatus;
  /** The source it renders from, looked up by its sourceRef when it was registered before that source. */
  sourceKey?: string;
  /** The fetch state of that source (undefined: not declared, or its first fetch has not answered yet). */
  source?: FetchState;
}

export interface FoundView {
  found: FluxObjectFound;
  /** The target whose render found it. */
  foundBy: Target;
  /** A declared source: its fetch state, once fetched or failed. */
  source?: FetchState;
  /** A declared source every declarer suspends: it is not fetched (as in Flux). */
  suspended?: boolean;
  /** An ArtifactGenerator: the fetch state of each ExternalArtifact it makes (undefined: not composed yet). */
  produced?: { name: string; state?: FetchState }[];
}

export interface FleetSnapshot {
  targets: TargetView[];
  found: FoundView[];
}

export async function readFleetSnapshot(deps: PipelineDeps, cluster: string): Promise<FleetSnapshot> {
  const state = stateOf(deps);
  const targets: TargetView[] = [];
  for (const target of await state.listDeclaredTargets(cluster)) {
    const [record, status] = await Promise.all([
      state.getTargetRecord(cluster, target),
      state.getRenderStatus(cluster, target),
    ]);
    const sourceKey = record ? await sourceKeyOf(deps, record) : undefined;
    const source = sourceKey ? await state.getFetchState(sourceKey) : undefined;
    targets.push({
      target,
      ...(record && { record }),
      ...(status && { status }),
      ...(sourceKey && { sourceKey }),
      ...(source && { source }),
    });
  }
  const found: FoundView[] = [];
  for (const { target, status } of targets) {
    for (const f of status?.fluxObjects ?? []) {
      const ref = { namespace: f.namespace, name: f.name };
      const declared =
        f.handling === 'declared' && isSourceKind(f.kind)
          ? await state.getClusterSource(cluster, ref, f.kind)
          : undefined;
      const source = declared ? await state.getFetchState(declared.sourceKey) : undefined;
      const suspended =
        declared && !source
          ? (await state.listDeclarers(declared.sourceKey)).every((d) => d.suspended === true)
          : false;
      const produced = f.produces
        ? await Promise.all(f.produces.map((name) => producedState(deps, cluster, f.namespace, name)))
        : undefined;
      found.push({
        found: f,
        foundBy: target,
        ...(source && { source }),
        ...(suspended && { suspended }),
        ...(produced && { produced }),
      });
    }
  }
  return { targets, found };
}

/**
 * A target registered before a sibling declared its source has no source key in its record (its render looks
 * the source up, as this does): the check must see that source arrive to know the target can render now.
 */
async function sourceKeyOf(deps: PipelineDeps, record: TargetRecord): Promise<string | undefined> {
  if (record.sourceKey) return record.sourceKey;
  const ref =
    'helmRelease' in record
      ? chartSourceOf(record.helmRelease)
      : {
          ...record.kustomization.spec.sourceRef,
          namespace: record.kustomization.spec.sourceRef.namespace ?? record.kustomization.metadata.namespace,
        };
  return (await stateOf(deps).getClusterSource(record.cluster, ref, ref.kind))?.sourceKey;
}

async function producedState(
  deps: PipelineDeps,
  cluster: string,
  namespace: string,
  name: string,
): Promise<{ name: string; state?: FetchState }> {
  const state = stateOf(deps);
  const source = await state.getClusterSource(cluster, { namespace, name }, 'ExternalArtifact');
  const fetched = source ? await state.getFetchState(source.sourceKey) : undefined;
  return { name, ...(fetched && { state: fetched }) };
}

/**
 * Nothing left to wait for: every target rendered its source's current revision, failed, is suspended, or
 * waits on a source whose fetch failed (the first failure is the answer: retries are not waited for).
 */
export function isSettled(snapshot: FleetSnapshot): boolean {
  return snapshot.targets.every(isTargetSettled) && snapshot.found.every(isSourceSettled);
}

/** A source the fleet declares is fetched (or failed) even when nothing renders from it, unless suspended. */
function isSourceSettled(view: FoundView): boolean {
  if (view.produced?.some((p) => p.state === undefined)) return false;
  if (view.found.handling !== 'declared' || !isSourceKind(view.found.kind)) return true;
  return view.source !== undefined || view.suspended === true;
}

export function isTargetSettled(view: TargetView): boolean {
  if (!view.record) return true;
  if (isSuspended(view.record)) return true;
  if (view.status && !view.status.ready) return true;
  if (view.status?.ready) return !view.source?.revision || view.status.revision === view.source.revision;
  return view.source?.error !== undefined && !view.source.revision;
}

export function isSuspended(record: TargetRecord): boolean {
  return 'helmRelease' in record
    ? record.helmRelease.spec.suspend === true
    : record.kustomization.spec.suspend;
}

/** What changes while the pipeline works (no timestamps): equal fingerprints over a while mean it rests. */
export function fingerprintOf(snapshot: FleetSnapshot): string {
  return JSON.stringify([
    snapshot.targets.map((t) => [
      t.target,
      t.status?.ready,
      t.status?.revision,
      t.status?.message,
      t.status?.fluxObjects?.length,
      t.source?.revision,
      t.source?.error?.message,
    ]),
    snapshot.found.map((f) => [
      f.found.kind,
      f.found.name,
      f.source?.revision,
      f.source?.error?.message,
      f.produced?.map((p) => [p.state?.revision, p.state?.error?.message]),
    ]),
  ]);
}
