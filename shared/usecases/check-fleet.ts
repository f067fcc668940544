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
import { type AskedAgain, askAgain, isAnswered } from './check-fleet-wait.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { ROOT } from './register-fleet.ts';

/** How a refusal reads (`… is not supported by Sluice yet`, `remote clusters are not supported`). */
const NOT_SUPPORTED = /\bnot supported\b/;

/** `clusters/dev/apps.yaml: Kustomization/flux-system/remote: …`: a message about another object. */
const OTHER_OBJECT = /^(?:[^\s:]+: )?[A-Z][A-Za-z]*\/[a-z0-9.-]+\/[a-z0-9.-]+: /;

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
  let asked: AskedAgain | undefined;
  for (;;) {
    const snapshot = await readFleetSnapshot(deps, opts.cluster);
    const fingerprint = fingerprintOf(snapshot);
    const now = deps.clock.now();
    if (fingerprint !== last) {
      last = fingerprint;
      since = now;
    } else if (
      isSettled(snapshot) &&
      (!asked || isAnswered(snapshot, asked)) &&
      now - since >= (opts.settleMs ?? 1500)
    ) {
      // At rest: a target that failed for want of a source a sibling declares later is asked again, as
      // the control plane's retry would ask it; as long as that changes something, once more.
      if (asked?.fingerprint === fingerprint) return { snapshot, timedOut: false };
      const again = await askAgain(deps, opts.cluster, snapshot, fingerprint);
      if (!again) return { snapshot, timedOut: false };
      asked = again;
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
  if (found.handling === 'undeclared') return undeclaredOutcome(view, targets, timedOut);
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

/**
 * An object of a render that failed after kustomize built it: the one the failure names gets its reason, the
 * others are not delivered because of it (a child registered before the failure is reported as itself).
 */
function undeclaredOutcome(
  view: FoundView,
  targets: Map<string, TargetView>,
  timedOut: boolean,
): ObjectOutcome {
  const { found, foundBy } = view;
  // Keyed as targetKey keys them: only a Kustomization or HelmRelease can have a record.
  const own = targets.get(`${found.kind}/${found.namespace}/${found.name}`);
  if (own?.record) return targetOutcome(own, timedOut);
  const message = targets.get(targetKey(foundBy))?.status?.message ?? '';
  const self = `${found.kind}/${found.namespace}/${found.name}: `;
  const at = message.indexOf(self);
  if (at >= 0) {
    const why = message.slice(at + self.length);
    return { failure: { message: why, unsupported: NOT_SUPPORTED.test(why) } };
  }
  return {
    failure: {
      message: `not delivered: the render of ${foundBy.kind} ${foundBy.namespace}/${foundBy.name}, which declares it, failed`,
    },
  };
}

function targetOutcome(view: TargetView, timedOut: boolean): ObjectOutcome {
  const { record, status, source } = view;
  if (record && isSuspended(record))
    return { notes: ['suspended (spec.suspend): Sluice stops delivering it, as Flux stops reconciling it'] };
  // Waiting on a source whose fetch failed: that failure is the reason (the render only says it waits).
  if (source?.error && !source.revision && !status?.ready)
    return { failure: { message: `its source could not be fetched: ${source.error.message}` } };
  if (status && !status.ready) {
    // After its own place, the message may name another object it failed on (a child it could not
    // decode): then it is an error here, and the refusal belongs to that object's line.
    const self = `${targetKey(view.target)}: `;
    const at = status.message.indexOf(self);
    const rest = at >= 0 ? status.message.slice(at + self.length) : status.message;
    const aboutAnother = OTHER_OBJECT.test(rest);
    return { failure: { message: rest, unsupported: !aboutAnother && NOT_SUPPORTED.test(rest) } };
  }
  if (timedOut && !isTargetSettled(view)) return { failure: { message: TIMED_OUT } };
  return {};
}
