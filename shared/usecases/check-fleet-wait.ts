// `sluice check` at rest asks again what failed for want of something a sibling declares later (a source, a
// chart's HelmRepository), as the control plane's retry would; and tells when each has answered again.
import { reasonForCode } from '../core/flux-reason.ts';
import type { FetchState } from '../core/pipeline/records.ts';
import { targetKey } from '../core/pipeline/target.ts';
import { type FleetSnapshot, isSuspended, isTargetSettled, type TargetView } from './check-fleet-snapshot.ts';
import { enqueueFetch, enqueueRender } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

/** A render that failed for want of its source (or a ConfigMap): not declared yet, or not fetched yet. */
const WAITING_REASONS = new Set<string>([
  reasonForCode('ReferenceNotFound'),
  reasonForCode('GitFetchFailed'),
]);

/** What was asked again, and when. */
export interface AskedAgain {
  /** The state when asked: once they answered, the check asks again only if that changed it. */
  fingerprint: string;
  /** The control plane's clock when asked (ISO): an answer is a status or fetch attempt from then on. */
  at: string;
  targets: Set<string>;
  sources: Set<string>;
}

/** Queues a render of each waiting target and a fetch of each waiting source; undefined when none waits. */
export async function askAgain(
  deps: PipelineDeps,
  cluster: string,
  snapshot: FleetSnapshot,
  fingerprint: string,
): Promise<AskedAgain | undefined> {
  const targets = snapshot.targets.filter(isWaiting);
  const sources = [...fetchStatesOf(snapshot).values()].filter(
    (s) => !s.revision && s.error?.code === 'ReferenceNotFound',
  );
  if (targets.length + sources.length === 0) return undefined;
  const at = new Date(deps.clock.now()).toISOString();
  for (const { sourceKey } of sources) await enqueueFetch(deps, sourceKey, 'registration', `check/${at}`);
  for (const { target } of targets) await enqueueRender(deps, cluster, target);
  return {
    fingerprint,
    at,
    targets: new Set(targets.map((t) => targetKey(t.target))),
    sources: new Set(sources.map((s) => s.sourceKey)),
  };
}

/** Every target and source asked again has answered since (and a target, after its source's new fetch). */
export function isAnswered(snapshot: FleetSnapshot, asked: AskedAgain): boolean {
  const states = fetchStatesOf(snapshot);
  for (const key of asked.sources) {
    const state = states.get(key);
    if (state && (state.lastAttemptAt ?? '') < asked.at && (state.error?.at ?? '') < asked.at) return false;
  }
  return snapshot.targets.every(
    (t) => !asked.targets.has(targetKey(t.target)) || targetAnswered(t, asked.at),
  );
}

function isWaiting(view: TargetView): boolean {
  return (
    view.record !== undefined &&
    view.status !== undefined &&
    !view.status.ready &&
    WAITING_REASONS.has(view.status.reason)
  );
}

function targetAnswered(view: TargetView, at: string): boolean {
  const { record, status, source } = view;
  if (!record || isSuspended(record)) return true;
  if (status?.ready) return isTargetSettled(view);
  // Its source is declared now and its first fetch has not answered: that fetch renders it.
  if (view.sourceKey && !source) return false;
  // Fetched after its last render: the render that fetch queued is still to come.
  const fetchedAt = source?.revision ? source.fetchedAt : undefined;
  if (fetchedAt && (!status || status.at < fetchedAt)) return false;
  if (source?.error && !source.revision) return true;
  return status !== undefined && status.at >= at;
}

/** Every fetch state the snapshot holds, by source key: the targets', the declared sources', the artifacts'. */
function fetchStatesOf(snapshot: FleetSnapshot): Map<string, FetchState> {
  const states = new Map<string, FetchState>();
  const all = [
    ...snapshot.targets.map((t) => t.source),
    ...snapshot.found.flatMap((f) => [f.source, ...(f.produced ?? []).map((p) => p.state)]),
  ];
  for (const state of all) if (state) states.set(state.sourceKey, state);
  return states;
}
