// The puller's reconcile: for every Kustomization in its cluster's index (or just the ones a nudge named),
// in dependsOn order, fetch the artifact, verify digest and signature, apply, prune what disappeared (never
// after a failed apply), record the inventory, and report. Unchanged artifacts are re-applied once per
// interval to correct drift. What the puller learned (readiness, artifacts by digest) is kept in memory so
// a nudge costs work proportional to what changed, not to the size of the cluster.
import { inventoryOf, staleEntries } from '../../core/apply/inventory.ts';
import type { SignedArtifact } from '../../core/artifact/artifact.ts';
import { verifyArtifact } from '../../core/artifact/sign-artifact.ts';
import { type ApplyReport, encodeJob } from '../../core/pipeline/jobs.ts';
import type { IndexEntry } from '../../core/pipeline/records.ts';
import { type ObjectKey, stateKeys } from '../../core/pipeline/state-keys.ts';
import { getJson } from '../../ports/object-store.ts';
import { applyObjects } from './apply-objects.ts';
import { deleteInventory, type Inventory, readInventory, writeInventory } from './inventory-store.ts';
import { pruneObjects } from './prune-objects.ts';
import type { PullerDeps } from './puller-deps.ts';

const keyOf = (k: ObjectKey) => `${k.namespace}/${k.name}`;

/** Memory of one puller process; a fresh one (after a restart) simply does a full reconcile first. */
export class PullerState {
  readonly ready = new Map<string, boolean>();
  /** Kustomizations waiting for a dependency: retried whenever anything else is reconciled. */
  readonly waiting = new Set<string>();
  private readonly artifacts = new Map<string, SignedArtifact>();

  artifact(digest: string): SignedArtifact | undefined {
    return this.artifacts.get(digest);
  }

  remember(artifact: SignedArtifact): void {
    // Artifacts are immutable by digest; keep the recent ones.
    if (this.artifacts.size >= 1000) this.artifacts.delete(this.artifacts.keys().next().value as string);
    this.artifacts.set(artifact.digest, artifact);
  }
}

/** `only`: reconcile just these Kustomizations (a nudge); omitted: the whole index (start-up, interval). */
export async function reconcileCluster(
  deps: PullerDeps,
  state = new PullerState(),
  only?: ObjectKey[],
): Promise<ApplyReport[]> {
  const paths = only
    ? [...new Set([...only.map(keyOf), ...state.waiting])].map((k) =>
        stateKeys.index(deps.cluster, splitKey(k)),
      )
    : await deps.store.list(stateKeys.indexes(deps.cluster));
  const entries: IndexEntry[] = [];
  for (const path of paths) {
    const entry = await getJson<IndexEntry>(deps.store, path);
    if (entry) entries.push(entry);
  }
  const reports: ApplyReport[] = [];
  const artifacts = new Map<string, SignedArtifact | Error>();
  for (const entry of entries) {
    if (entry.deleted || !entry.artifactKey || !entry.digest) continue;
    let artifact: SignedArtifact | Error | undefined = state.artifact(entry.digest);
    if (!artifact) {
      artifact = await getJson<SignedArtifact>(deps.store, entry.artifactKey).catch((e: Error) => e);
      if (artifact && !(artifact instanceof Error)) state.remember(artifact);
    }
    artifacts.set(
      keyOf(entry.kustomization),
      artifact ?? new Error(`artifact ${entry.digest} is missing from the store`),
    );
  }
  for (const entry of orderByDependencies(entries, artifacts)) {
    const report = await reconcileOne(deps, entry, artifacts.get(keyOf(entry.kustomization)), state.ready);
    const key = keyOf(entry.kustomization);
    if (report?.reason === 'DependencyNotReady') state.waiting.add(key);
    else state.waiting.delete(key);
    if (report) {
      reports.push(report);
      await deps.queue.send(deps.queues.events, { body: encodeJob(report) });
    }
  }
  return reports;
}

async function reconcileOne(
  deps: PullerDeps,
  entry: IndexEntry,
  artifact: SignedArtifact | Error | undefined,
  ready: Map<string, boolean>,
): Promise<ApplyReport | undefined> {
  const ks = entry.kustomization;
  const now = new Date(deps.clock.now()).toISOString();
  const report = (
    fields: Partial<ApplyReport> & Pick<ApplyReport, 'ready' | 'reason' | 'message'>,
  ): ApplyReport => ({
    kind: 'apply-report',
    cluster: deps.cluster,
    kustomization: ks,
    digest: entry.digest ?? '',
    revision: entry.revision,
    applied: 0,
    pruned: 0,
    at: now,
    ...fields,
  });
  const previous = await readInventory(deps, ks);

  if (entry.deleted) {
    if (!previous) return undefined;
    if (previous.prune === false) {
      await deleteInventory(deps, ks);
      return report({
        ready: true,
        reason: 'Removed',
        message: 'Kustomization removed from the fleet; prune is disabled, so its objects were left in place',
      });
    }
    const pruned = await pruneObjects(deps, ks, previous.entries);
    if (pruned.errors.length > 0) {
      await writeInventory(deps, { ...previous, entries: pruned.kept });
      return report({
        ready: false,
        reason: 'PruneFailed',
        message: pruned.errors.join('; '),
        pruned: pruned.pruned,
      });
    }
    await deleteInventory(deps, ks);
    return report({
      ready: true,
      reason: 'Pruned',
      message: `Kustomization removed from the fleet; pruned ${pruned.pruned} objects`,
      pruned: pruned.pruned,
    });
  }

  if (!artifact || artifact instanceof Error) {
    ready.set(keyOf(ks), false);
    return report({
      ready: false,
      reason: 'ArtifactFailed',
      message: artifact?.message ?? 'artifact missing',
    });
  }
  let payload: ReturnType<typeof verifyArtifact>;
  try {
    payload = verifyArtifact(artifact, deps.publicKeyPem, entry.digest);
  } catch (err) {
    ready.set(keyOf(ks), false);
    return report({ ready: false, reason: 'ArtifactFailed', message: (err as Error).message });
  }

  const driftDue = !previous || deps.clock.now() - Date.parse(previous.appliedAt) >= payload.apply.intervalMs;
  if (previous?.digest === entry.digest && !driftDue) {
    ready.set(keyOf(ks), true);
    return undefined;
  }
  const blocked = payload.apply.dependsOn.find((d) => ready.get(`${d.namespace}/${d.name}`) !== true);
  if (blocked) {
    ready.set(keyOf(ks), false);
    return report({
      ready: false,
      reason: 'DependencyNotReady',
      message: `dependency '${blocked.namespace}/${blocked.name}' is not ready`,
    });
  }

  const applied = await applyObjects(deps, payload.objects, payload.apply.force);
  const appliedCount = applied.counts.created + applied.counts.configured;
  if (applied.errors.length > 0) {
    // Keep pruning information: what was there before plus what this attempt did create.
    if (previous || applied.applied.length > 0) {
      const union = new Map([...(previous?.entries ?? []), ...applied.applied].map((e) => [e.id, e]));
      await writeInventory(deps, {
        kustomization: ks,
        digest: previous?.digest ?? '',
        revision: previous?.revision ?? '',
        appliedAt: previous?.appliedAt ?? new Date(0).toISOString(),
        entries: [...union.values()],
      });
    }
    ready.set(keyOf(ks), false);
    return report({
      ready: false,
      reason: 'ReconciliationFailed',
      message: `apply failed: ${applied.errors.join('; ')}`,
      applied: appliedCount,
    });
  }

  const next = inventoryOf(payload.objects);
  let pruned = 0;
  let kept: Inventory['entries'] = [];
  const pruneErrors: string[] = [];
  if (payload.apply.prune && previous) {
    const result = await pruneObjects(deps, ks, staleEntries(previous.entries, next));
    pruned = result.pruned;
    kept = result.kept;
    pruneErrors.push(...result.errors);
  }
  await writeInventory(deps, {
    kustomization: ks,
    digest: entry.digest ?? '',
    revision: entry.revision,
    appliedAt: now,
    prune: payload.apply.prune,
    entries: [...next, ...kept],
  });
  if (pruneErrors.length > 0) {
    ready.set(keyOf(ks), false);
    return report({
      ready: false,
      reason: 'PruneFailed',
      message: pruneErrors.join('; '),
      applied: appliedCount,
      pruned,
    });
  }
  ready.set(keyOf(ks), true);
  const c = applied.counts;
  return report({
    ready: true,
    reason: 'ReconciliationSucceeded',
    message: `Applied revision: ${entry.revision} (${c.created} created, ${c.configured} configured, ${c.unchanged} unchanged, ${pruned} pruned)`,
    applied: appliedCount,
    pruned,
  });
}

function splitKey(key: string): ObjectKey {
  const [namespace = '', name = ''] = key.split('/');
  return { namespace, name };
}

/** Dependencies first; entries in a dependency cycle or with unknown dependencies keep index order. */
export function orderByDependencies(
  entries: IndexEntry[],
  artifacts: Map<string, SignedArtifact | Error>,
): IndexEntry[] {
  const byKey = new Map(entries.map((e) => [keyOf(e.kustomization), e]));
  const ordered: IndexEntry[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (entry: IndexEntry) => {
    const key = keyOf(entry.kustomization);
    if (state.get(key)) return;
    state.set(key, 'visiting');
    const artifact = artifacts.get(key);
    const deps = artifact && !(artifact instanceof Error) ? artifact.payload.apply.dependsOn : [];
    for (const d of deps) {
      const dep = byKey.get(`${d.namespace}/${d.name}`);
      if (dep && !state.get(`${d.namespace}/${d.name}`)) visit(dep);
    }
    state.set(key, 'done');
    ordered.push(entry);
  };
  for (const entry of entries) visit(entry);
  return ordered;
}
