// Use-case: `sluice check`'s report for one cluster of a running (embedded) pipeline. Waits until the
// pipeline rests, reads what each render found and what became of it, and gives every Flux object a verdict.
import { type CheckedObject, type CheckReport, checkReport } from '../core/check/check-report.ts';
import { classifyObject, type ObjectOutcome } from '../core/check/classify-object.ts';
import type { FluxObjectFound } from '../core/check/flux-object-found.ts';
import { isSourceKind } from '../core/pipeline/source-kind.ts';
import { targetKey } from '../core/pipeline/target.ts';
import {
  type FleetSnapshot,
  type FoundView,
  fingerprintOf,
  isSettled,
  isSuspended,
  isTargetSettled,
  readFleetSnapshot,
  type TargetView,
} from './check-fleet-snapshot.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { ROOT } from './register-fleet.ts';

const TIMED_OUT = 'still pending when the check timed out (--timeout): its render or fetch did not finish';

export interface CheckFleetOptions {
  cluster: string;
  /** The cluster root as the user named it (`clusters/dev`): the FILE of the root Kustomization. */
  rootPath: string;
  /** The root Kustomization's namespace and name (default flux-system/flux-system). */
  root?: { namespace: string; name: string };
  /** How long to wait for the pipeline to rest; what is still pending then is an error. */
  timeoutMs: number;
  /** How long the state must stay the same to count as at rest (a render may still be queued). */
  settleMs?: number;
  pollMs?: number;
}

export async function checkFleet(deps: PipelineDeps, opts: CheckFleetOptions): Promise<CheckReport> {
  const { snapshot, timedOut } = await waitForRest(deps, opts);
  return checkReport(classifySnapshot(snapshot, opts, timedOut));
}

async function waitForRest(
  deps: PipelineDeps,
  opts: CheckFleetOptions,
): Promise<{ snapshot: FleetSnapshot; timedOut: boolean }> {
  const deadline = deps.clock.now() + opts.timeoutMs;
  let last = '';
  let since = deps.clock.now();
  for (;;) {
    const snapshot = await readFleetSnapshot(deps, opts.cluster);
    const fingerprint = fingerprintOf(snapshot);
    const now = deps.clock.now();
    if (fingerprint !== last) {
      last = fingerprint;
      since = now;
    } else if (isSettled(snapshot) && now - since >= (opts.settleMs ?? 1500)) {
      return { snapshot, timedOut: false };
    }
    if (now >= deadline) return { snapshot, timedOut: true };
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
}

function classifySnapshot(
  snapshot: FleetSnapshot,
  opts: CheckFleetOptions,
  timedOut: boolean,
): CheckedObject[] {
  const targets = new Map(snapshot.targets.map((t) => [targetKey(t.target), t]));
  const rootRef = opts.root ?? ROOT;
  const root = targets.get(targetKey({ kind: 'Kustomization', ...rootRef }));
  // The cluster root first (the first of one key wins): its file is the path given, since the fleet declares
  // it by files that are consumed (gotk-sync.yaml) or reported on their own line (a FluxInstance).
  const rootFound: FluxObjectFound = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    ...rootRef,
    file: opts.rootPath,
    handling: 'declared',
    differences: [],
    notes: [],
  };
  const out = [
    classifyObject(
      rootFound,
      root
        ? targetOutcome(root, timedOut)
        : { failure: { message: 'the cluster root was not registered by the control plane' } },
    ),
  ];
  for (const f of snapshot.found) out.push(classifyObject(f.found, outcomeOf(f, targets, root, timedOut)));
  return out;
}

function outcomeOf(
  view: FoundView,
  targets: Map<string, TargetView>,
  root: TargetView | undefined,
  timedOut: boolean,
): ObjectOutcome {
  const { found, foundBy } = view;
  if (found.handling === 'skipped' && foundBy.kind === 'HelmRelease') {
    return {
      unsupported: `rendered by the chart of HelmRelease ${foundBy.namespace}/${foundBy.name}: only Kustomizations declare Flux objects in Sluice, so it was skipped; declare it in the fleet`,
    };
  }
  if (found.handling === 'fleet-root') {
    // Only the root's own render is read for the root: a FluxInstance below it is not followed.
    if (found.kind === 'FluxInstance' && targets.get(targetKey(foundBy))?.record?.parent !== null)
      return {
        unsupported: `declared below the cluster root (by ${foundBy.kind} ${foundBy.namespace}/${foundBy.name}): Sluice reads the root only from the cluster root's own directory, so it was skipped`,
      };
    return {
      ...(root && targetOutcome(root, timedOut)),
      notes: ['the fleet root: the control plane follows this repository and path itself'],
    };
  }
  if (found.handling !== 'declared') return {};
  if (found.kind === 'Kustomization' || found.kind === 'HelmRelease') {
    const view = targets.get(targetKey({ kind: found.kind, namespace: found.namespace, name: found.name }));
    if (!view?.record) {
      const parent = targets.get(targetKey(foundBy));
      const said = parent?.status?.warnings.find((w) => w.includes(`${found.namespace}/${found.name}`));
      return { failure: { message: said ?? 'declared, but not registered by the control plane' } };
    }
    return targetOutcome(view, timedOut);
  }
  // An ArtifactGenerator: each artifact's first composition decides.
  const failed = view.produced?.find((p) => p.state?.error && !p.state.revision);
  if (failed?.state?.error) {
    // The artifact's error names the artifact and then the generator: the report has the generator already.
    const message = failed.state.error.message;
    const self = `${found.kind}/${found.namespace}/${found.name}: `;
    const at = message.indexOf(self);
    const why = at >= 0 ? message.slice(at + self.length) : message;
    return { failure: { message: `its artifact ${failed.name} could not be composed: ${why}` } };
  }
  // A source: its first fetch decides (a source nothing renders from is still fetched, as in Flux).
  if (view.source?.error && !view.source.revision) return { failure: { message: view.source.error.message } };
  if (view.suspended) return { notes: ['suspended (spec.suspend): not fetched, as in Flux'] };
  const pending = isSourceKind(found.kind) ? !view.source : view.produced?.some((p) => !p.state);
  if (timedOut && pending) return { failure: { message: TIMED_OUT } };
  return {};
}

function targetOutcome(view: TargetView, timedOut: boolean): ObjectOutcome {
  const { record, status, source } = view;
  if (record && isSuspended(record))
    return { notes: ['suspended (spec.suspend): Sluice stops delivering it, as Flux stops reconciling it'] };
  // Waiting on a source whose fetch failed: that failure is the reason (the render only says it waits).
  if (source?.error && !source.revision && !status?.ready)
    return { failure: { message: `its source could not be fetched: ${source.error.message}` } };
  if (status && !status.ready) {
    return {
      failure: { message: status.message, unsupported: /\bnot supported by Sluice\b/.test(status.message) },
    };
  }
  if (timedOut && !isTargetSettled(view)) return { failure: { message: TIMED_OUT } };
  return {};
}
