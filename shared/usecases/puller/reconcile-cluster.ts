// The puller's reconcile: for every Kustomization in its cluster's index (or just the ones a nudge named),
// in dependsOn order, fetch the signed record the entry points at, verify digest and signature, check it
// is bound to this cluster and this target and is the record last applied or newer by publish sequence,
// then apply it (artifact) or remove the target (tombstone), and report on this cluster's own channel. The
// index is only a pointer: nothing in it is trusted. Unchanged artifacts are re-applied once per interval
// to correct drift.

import { createHash, createPublicKey } from 'node:crypto';
import { planDependencies } from '../../core/apply/dependency-plan.ts';
import type { Signed, SignedPayload } from '../../core/artifact/artifact.ts';
import { checkBinding } from '../../core/artifact/binding.ts';
import { verifySigned } from '../../core/artifact/sign-artifact.ts';
import type { SluiceError } from '../../core/errors.ts';
import { isSluiceError } from '../../core/errors.ts';
import type { FluxReason } from '../../core/flux-reason.ts';
import { type ApplyReport, encodeJob } from '../../core/pipeline/jobs.ts';
import type { ClusterCapabilities, IndexEntry } from '../../core/pipeline/records.ts';
import { parseTargetKey, type Target, targetKey } from '../../core/pipeline/target.ts';
import { openArtifact } from '../../core/secrets/seal-artifact.ts';
import { dataKeyCacheOf } from '../secrets/data-key-cache.ts';
import { stateOf } from '../state-store.ts';
import { applyTarget } from './apply-target.ts';
import { type Inventory, readInventory } from './inventory-store.ts';
import { type Limiter, limiter } from './limiter.ts';
import type { PullerDeps } from './puller-deps.ts';
import { recordReconcile } from './record-reconcile.ts';
import { removeTarget } from './remove-target.ts';
import type { ReportFields, TargetContext } from './target-context.ts';

/** Flux's kustomize-controller reconciles 4 objects at once by default (`--concurrent`). */
export const DEFAULT_CONCURRENCY = 4;
/** Flux's --requeue-dependency: a target waiting for a dependency is tried again this often. */
export const DEPENDENCY_REQUEUE_MS = 30_000;

interface InFlight {
  digest: string;
  controller: AbortController;
  done: Promise<unknown>;
}

/** Memory of one puller process; a fresh one (after a restart) simply does a full reconcile first. */
export class PullerState {
  readonly ready = new Map<string, boolean>();
  /** Targets (targetKey) waiting for a dependency: retried whenever anything else is reconciled. */
  readonly waiting = new Set<string>();
  /** The cluster's capabilities as last discovered, and as last sent with a report (sent again only when they change). */
  capabilities: ClusterCapabilities | undefined;
  sentCapabilities: string | undefined;
  /** Shared by every pass: at most this many targets reconcile at once. */
  readonly limit: Limiter;
  /** Failed targets (targetKey) → when to try again, and how many times in a row they failed. */
  private readonly retries = new Map<string, { at: number; failures: number; target: Target }>();
  /** The digest last reported per target, to tell a drift correction from a new artifact (metrics). */
  readonly lastDigests = new Map<string, string>();
  /** The record last read for each target (targetKey): memory follows the fleet, not its history. */
  private readonly records = new Map<string, Signed>();
  private readonly inFlight = new Map<string, InFlight>();

  constructor(concurrency = DEFAULT_CONCURRENCY) {
    this.limit = limiter(concurrency);
  }

  /** The record `target` was last read at, if it is still the one with `digest`. */
  artifact(target: Target, digest: string): Signed | undefined {
    const record = this.records.get(targetKey(target));
    return record?.digest === digest ? record : undefined;
  }

  /**
   * Keeps `record` as `target`'s, replacing the one before: a cache of the last 1,000 records kept every
   * revision of a busy target (each its whole object list), and the puller grew with every publish.
   */
  remember(target: Target, record: Signed): void {
    this.records.set(targetKey(target), record);
  }

  /**
   * A newer record for a target being reconciled (a nudge naming another digest): that reconcile, a health
   * wait say, is cancelled, so a fix is never queued behind a broken revision. True when one was.
   */
  cancelStale(target: Target, digest: string): boolean {
    const running = this.inFlight.get(targetKey(target));
    if (!running || running.digest === digest || running.controller.signal.aborted) return false;
    running.controller.abort(new Error(`a newer artifact (${digest}) arrived`));
    return true;
  }

  /**
   * After a target's reconcile: a failure is tried again after its retryInterval (Flux's default: its
   * interval), doubling with each failure in a row up to the interval; a missing dependency after 30 s
   * (Flux's --requeue-dependency); success forgets it.
   */
  scheduleRetry(report: ApplyReport, payload: SignedPayload | undefined, now: number): void {
    const key = targetKey(report.target);
    if (report.ready) {
      this.retries.delete(key);
      return;
    }
    const apply = payload?.kind === 'Artifact' ? payload.apply : undefined;
    const interval = apply?.intervalMs ?? DEPENDENCY_REQUEUE_MS;
    const failures = (this.retries.get(key)?.failures ?? 0) + 1;
    const delay =
      report.reason === 'DependencyNotReady'
        ? DEPENDENCY_REQUEUE_MS
        : Math.min(interval, (apply?.retryIntervalMs ?? interval) * 2 ** (failures - 1));
    this.retries.set(key, { at: now + delay, failures, target: report.target });
  }

  /** Targets whose retry is due, taken off the schedule (they are rescheduled by their next report). */
  dueRetries(now: number): Target[] {
    const due: Target[] = [];
    for (const [key, r] of this.retries)
      if (r.at <= now) {
        due.push(r.target);
        this.retries.set(key, { ...r, at: Number.POSITIVE_INFINITY });
      }
    return due;
  }

  /** Milliseconds until the next retry is due (Infinity when none is scheduled). */
  nextRetryIn(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const r of this.retries.values()) next = Math.min(next, r.at - now);
    return Math.max(0, next);
  }

  /** Stopping: every reconcile in flight is cancelled (a health wait ends at once). */
  cancelAll(): void {
    for (const running of this.inFlight.values())
      running.controller.abort(new Error('the puller is stopping'));
  }

  /**
   * Runs one target's reconcile as the only one of that target: the same digest already in flight is not
   * run twice (undefined), another digest in flight is cancelled and waited for first.
   */
  async exclusive<T>(
    target: Target,
    digest: string,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T | undefined> {
    const key = targetKey(target);
    for (;;) {
      const running = this.inFlight.get(key);
      if (!running) break;
      if (running.digest === digest && !running.controller.signal.aborted) return undefined;
      running.controller.abort(new Error(`a newer artifact (${digest}) arrived`));
      await running.done.catch(() => undefined);
    }
    const controller = new AbortController();
    const done = run(controller.signal);
    this.inFlight.set(key, { digest, controller, done });
    try {
      return await done;
    } finally {
      if (this.inFlight.get(key)?.done === done) this.inFlight.delete(key);
    }
  }
}

/**
 * `only`: reconcile just these targets (a nudge), with the targets waiting for a dependency and, so that
 * readiness is judged at their current revision, what they depend on; omitted: the whole index (start-up,
 * interval). Targets run concurrently (PullerState.limit), each after the ones it depends on.
 */
export async function reconcileCluster(
  deps: PullerDeps,
  state = new PullerState(deps.concurrency),
  only?: Target[],
): Promise<ApplyReport[]> {
  const targets = only
    ? [...new Set([...only.map(targetKey), ...state.waiting])].flatMap((k) => parseTargetKey(k) ?? [])
    : await stateOf({ store: deps.store }).listIndexedTargets(deps.cluster);
  // Each full pass reads the API server's capabilities again: an upgraded cluster renders its charts again.
  if (!only && deps.capabilities) {
    state.capabilities = await deps.capabilities().catch((err: Error) => {
      deps.log.warn('could not read the cluster capabilities', { message: err.message });
      return state.capabilities;
    });
  }
  const pass = await loadPass(deps, state, targets, only !== undefined);
  const plan = planDependencies(
    pass.entries.map((e) => ({ key: targetKey(e.target), dependsOn: dependencyKeys(e, pass.verified) })),
  );
  const byKey = new Map(pass.entries.map((e) => [targetKey(e.target), e]));
  const keyFingerprint = fingerprintOf(deps.publicKeyPem);
  const tasks = new Map<string, Promise<ApplyReport | undefined>>();
  for (const key of plan.order) {
    const entry = byKey.get(key) as IndexEntry;
    const run = async (): Promise<ApplyReport | undefined> => {
      const dependsOn = dependencyKeys(entry, pass.verified);
      // Dependencies in this pass first (their reports set `ready`); a cycle never waits on itself.
      const cycle = plan.cycles.get(key);
      if (!cycle) await Promise.all(dependsOn.map((d) => tasks.get(d)));
      const report = cycle
        ? dependencyProblem(
            deps,
            state,
            entry,
            `dependency cycle: ${cycle.join(' -> ')}; remove one of the spec.dependsOn entries`,
          )
        : missingDependency(deps, state, entry, dependsOn, byKey);
      const started = deps.clock.now();
      const result =
        report ??
        (await state.limit(() =>
          state.exclusive(entry.target, entry.digest ?? '', (signal) =>
            signal.aborted
              ? Promise.resolve(undefined)
              : reconcileOne(deps, entry, pass.records.get(key), state.ready, keyFingerprint, {
                  signal,
                  verified: pass.verified.get(key),
                }),
          ),
        ));
      if (result?.reason === 'DependencyNotReady') state.waiting.add(key);
      else state.waiting.delete(key);
      if (result) state.scheduleRetry(result, pass.verified.get(key), deps.clock.now());
      if (result && deps.metrics) {
        recordReconcile(deps.metrics, state.lastDigests, result, (deps.clock.now() - started) / 1000);
        if (pass.verified.get(key)?.kind === 'Tombstone' && result.ready) deps.metrics.forget(entry.target);
      }
      if (result)
        await deps.queue.send(deps.queues.reports, { body: encodeJob(withCapabilities(state, result)) });
      return result;
    };
    tasks.set(key, run());
  }
  const done = await Promise.all(plan.order.map((k) => tasks.get(k)));
  return [...pass.unreadable, ...done.filter((r): r is ApplyReport => r !== undefined)];
}

interface Pass {
  entries: IndexEntry[];
  records: Map<string, Signed | Error>;
  /** Records whose digest and signature verified: what the plan may trust (binding is checked per target). */
  verified: Map<string, SignedPayload>;
  unreadable: ApplyReport[];
}

/** The pass's index entries and records; a nudge pass also takes in what its targets depend on. */
async function loadPass(
  deps: PullerDeps,
  state: PullerState,
  targets: Target[],
  expand: boolean,
): Promise<Pass> {
  const pass: Pass = { entries: [], records: new Map(), verified: new Map(), unreadable: [] };
  const seen = new Set(targets.map(targetKey));
  const queue = [...targets];
  for (let target = queue.shift(); target; target = queue.shift()) {
    // The target an entry is for is where it lives in the store, never what its content claims.
    const entry = await stateOf({ store: deps.store })
      .getIndexEntry(deps.cluster, target)
      .catch((err: unknown) => {
        // An entry that is no index entry fails its own target only; a store outage fails the pass.
        if (!isSluiceError(err) || err.code !== 'ConfigInvalid') throw err;
        return err;
      });
    if (entry instanceof Error) {
      pass.unreadable.push(await unreadable(deps, state, target, entry));
      continue;
    }
    if (!entry) continue;
    // An entry naming no record is reported when its turn comes (pointerProblem).
    pass.entries.push(entry);
    if (!entry.artifactKey || !entry.digest) continue;
    const key = targetKey(entry.target);
    let record: Signed | Error | undefined = state.artifact(entry.target, entry.digest);
    if (!record) {
      record = await stateOf({ store: deps.store })
        .getArtifactAt(entry.artifactKey)
        .catch((e: Error) => e);
      if (record && !(record instanceof Error)) state.remember(entry.target, record);
    }
    const found = record ?? new Error(`artifact ${entry.digest} is missing from the store`);
    pass.records.set(key, found);
    if (found instanceof Error) continue;
    try {
      pass.verified.set(key, verifySigned(found, deps.publicKeyPem, entry.digest));
    } catch {
      continue; // refused with its reason when the target's turn comes
    }
    if (!expand) continue;
    for (const d of dependencyKeys(entry, pass.verified)) {
      const dep = parseTargetKey(d);
      if (dep && !seen.has(d)) {
        seen.add(d);
        queue.push(dep);
      }
    }
  }
  return pass;
}

/** The targets an entry's verified artifact depends on (Flux's dependsOn names its own kind unless it says). */
function dependencyKeys(entry: IndexEntry, verified: Map<string, SignedPayload>): string[] {
  const payload = verified.get(targetKey(entry.target));
  if (payload?.kind !== 'Artifact') return [];
  return payload.apply.dependsOn.map((d) =>
    targetKey({ kind: d.kind ?? entry.target.kind, namespace: d.namespace, name: d.name }),
  );
}

/** A dependency this cluster's index does not have: reported at once, never waited on. */
function missingDependency(
  deps: PullerDeps,
  state: PullerState,
  entry: IndexEntry,
  dependsOn: string[],
  inPass: Map<string, IndexEntry>,
): ApplyReport | undefined {
  const missing = dependsOn.find((d) => !inPass.has(d) && state.ready.get(d) !== true);
  if (!missing) return undefined;
  const dep = parseTargetKey(missing);
  const name = dep ? `${dep.kind} '${dep.namespace}/${dep.name}'` : missing;
  return dependencyProblem(
    deps,
    state,
    entry,
    `dependency ${name} not found in this cluster: declare it in the fleet or remove it from spec.dependsOn`,
  );
}

function dependencyProblem(
  deps: PullerDeps,
  state: PullerState,
  entry: IndexEntry,
  message: string,
): ApplyReport {
  state.ready.set(targetKey(entry.target), false);
  // A cycle or a missing dependency: nothing changes until the fleet does (Stalled).
  const report = reporter(deps, entry, new Date(deps.clock.now()).toISOString());
  return { ...report({ ready: false, reason: 'DependencyNotReady', message }), stalled: true };
}

/** The report, carrying the capabilities when they are new to the control plane (this puller's first report, or changed). */
function withCapabilities(state: PullerState, report: ApplyReport): ApplyReport {
  if (!state.capabilities) return report;
  const text = JSON.stringify(state.capabilities);
  if (text === state.sentCapabilities) return report;
  state.sentCapabilities = text;
  return { ...report, capabilities: state.capabilities };
}

/** An index entry that could not be read: that target's report says why; nothing of it is applied. */
async function unreadable(
  deps: PullerDeps,
  state: PullerState,
  target: Target,
  err: Error,
): Promise<ApplyReport> {
  state.ready.set(targetKey(target), false);
  const now = new Date(deps.clock.now()).toISOString();
  const report = reporter(
    deps,
    { target } as IndexEntry,
    now,
  )({
    ready: false,
    reason: 'ArtifactFailed',
    message: err.message,
  });
  await deps.queue.send(deps.queues.reports, { body: encodeJob(report) });
  return report;
}

/** One target's reconcile, as named steps; whatever fails ends in this target's report, never the pass. */
async function reconcileOne(
  deps: PullerDeps,
  entry: IndexEntry,
  record: Signed | Error | undefined,
  ready: Map<string, boolean>,
  keyFingerprint: string,
  opts: { signal: AbortSignal; verified?: SignedPayload },
): Promise<ApplyReport | undefined> {
  const { target } = entry;
  const now = new Date(deps.clock.now()).toISOString();
  const report = reporter(deps, entry, now);
  const fail = (reason: FluxReason, message: string) => {
    ready.set(targetKey(target), false);
    return report({ ready: false, reason, message });
  };
  // Whatever one target runs into (its inventory unreadable, the API server failing mid-apply) ends that
  // target's reconcile with a report, never the cluster pass: the targets after it still go ahead.
  const failed = (err: unknown) =>
    fail('ReconciliationFailed', `reconcile failed: ${(err as Error).message}`);

  // 1. the entry must point at a record the store had
  const problem = pointerProblem(entry, record);
  if (problem) {
    const failure = fail(problem.reason, problem.message);
    return problem.reason === 'ArtifactRejected' ? refused(deps, target, failure) : failure;
  }
  const signed = record as Signed;
  // 2. what the cluster recorded last time
  const previous = await readInventory(deps, target).catch((err: unknown) => err as Error);
  if (previous instanceof Error) return failed(previous);
  // 3. signature, binding to this cluster and target, and freshness against the last applied
  let payload: SignedPayload;
  try {
    payload = verifyRecord(deps, entry, signed, previous, keyFingerprint, opts.verified);
  } catch (err) {
    return refused(deps, target, fail('ArtifactRejected', (err as Error).message));
  }
  // 4. open its sealed Secrets with this cluster's data key (only this cluster's puller can)
  if (payload.kind === 'Artifact' && payload.seal) {
    try {
      const cipher = await dataKeyCacheOf(deps.dataKeys).cipherFor(deps.cluster, payload.seal);
      payload = openArtifact(payload, cipher);
    } catch (err) {
      const e = err as SluiceError;
      // A key service outage is retried at the next pass; a value that does not open is refused.
      return e.retryable
        ? fail('ArtifactFailed', `artifact ${signed.digest}: ${e.message}`)
        : refused(deps, target, fail('ArtifactRejected', `artifact ${signed.digest} rejected: ${e.message}`));
    }
  }
  // 5. apply the artifact, or remove the target
  const ctx: TargetContext = {
    deps,
    target,
    digest: signed.digest,
    mark: {
      generation: payload.generation,
      sequence: payload.sequence,
      digest: signed.digest,
      keyFingerprint,
    },
    now,
    previous,
    ready,
    report,
    signal: opts.signal,
  };
  let result: ApplyReport | undefined;
  try {
    result = await (payload.kind === 'Tombstone' ? removeTarget(ctx, payload) : applyTarget(ctx, payload));
  } catch (err) {
    return failed(err);
  }
  return result && (await withRevisions(deps, result, payload, previous));
}

/**
 * Flux's lastAttemptedRevision and lastAppliedRevision, and the inventory's size as the cluster now holds
 * it (read back: the one record of what was applied and will be pruned).
 */
async function withRevisions(
  deps: PullerDeps,
  report: ApplyReport,
  payload: SignedPayload,
  previous: Inventory | undefined,
): Promise<ApplyReport> {
  const attempted = payload.kind === 'Artifact' ? payload.source.revision : payload.revision;
  const after =
    payload.kind === 'Tombstone'
      ? undefined
      : await readInventory(deps, report.target).catch(() => undefined);
  const applied = report.ready ? attempted : previous?.removed ? undefined : previous?.revision || undefined;
  return {
    ...report,
    lastAttemptedRevision: attempted,
    ...(applied && { lastAppliedRevision: applied }),
    inventory: after?.removed ? 0 : (after?.entries.length ?? 0),
  };
}

/** Until a record verifies, nothing from the index reaches the status but a well-formed digest. */
function reporter(deps: PullerDeps, entry: IndexEntry, now: string): (fields: ReportFields) => ApplyReport {
  return (fields) => ({
    kind: 'apply-report',
    cluster: deps.cluster,
    target: entry.target,
    digest: DIGEST.test(entry.digest ?? '') ? (entry.digest as string) : '',
    revision: '',
    applied: 0,
    pruned: 0,
    at: now,
    ...fields,
  });
}

/** Step 1: an entry naming no artifact, or one the store did not have; ArtifactRejected is refused. */
function pointerProblem(
  entry: IndexEntry,
  record: Signed | Error | undefined,
): { reason: FluxReason; message: string } | undefined {
  if (!entry.digest || !entry.artifactKey) {
    // A store writer can write `deleted: true`; only a signed tombstone removes anything.
    if (entry.deleted)
      return {
        reason: 'ArtifactRejected',
        message: `the index marks this ${entry.target.kind} removed without a signed tombstone; nothing was pruned`,
      };
    return { reason: 'ArtifactFailed', message: 'the index entry names no artifact' };
  }
  if (!record || record instanceof Error)
    return { reason: 'ArtifactFailed', message: record?.message ?? 'artifact missing' };
  return undefined;
}

/** Step 3: throws naming why the record is refused; returns its verified payload. */
function verifyRecord(
  deps: PullerDeps,
  entry: IndexEntry,
  record: Signed,
  previous: Inventory | undefined,
  keyFingerprint: string,
  verified?: SignedPayload,
): SignedPayload {
  const payload = verified ?? verifySigned(record, deps.publicKeyPem, entry.digest as string);
  try {
    // Marks recorded before they held the digest: the inventory's digest is the same record's.
    const applied = previous?.applied && { digest: previous.digest, ...previous.applied };
    checkBinding(
      payload,
      { cluster: deps.cluster, target: entry.target, keyFingerprint, digest: record.digest },
      applied,
    );
    if (entry.deleted && payload.kind !== 'Tombstone')
      throw new Error(
        `the index marks this ${entry.target.kind} removed but points at an artifact, not a tombstone`,
      );
  } catch (err) {
    throw new Error(`artifact ${record.digest} rejected: ${(err as Error).message}`);
  }
  return payload;
}

/** A refused record stays refused until a new one is published: Stalled. */
function refused(deps: PullerDeps, target: Target, report: ApplyReport): ApplyReport {
  deps.log.warn('refused an index entry; the last applied state stays', {
    cluster: deps.cluster,
    target: targetKey(target),
    message: report.message,
  });
  return { ...report, stalled: true };
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

const fingerprints = new Map<string, string>();

/** Identifies the signer the puller trusts: sequences are only compared between its own records. */
function fingerprintOf(publicKeyPem: string): string {
  let fingerprint = fingerprints.get(publicKeyPem);
  if (!fingerprint) {
    const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
    fingerprint = `sha256:${createHash('sha256').update(der).digest('hex')}`;
    fingerprints.set(publicKeyPem, fingerprint);
  }
  return fingerprint;
}
