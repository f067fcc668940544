// Use-case step: make the Flux objects a render produced into this cluster's inputs. GitRepositories
// become fetch specs, Kustomizations become render targets, ConfigMaps/Secrets feed substituteFrom; what
// this parent declared before and no longer does is withdrawn (its Kustomizations get pruned).
import type { ConfigData } from '../api/config-data.ts';
import type { HelmRelease } from '../api/helm-release.ts';
import type { Kustomization } from '../api/kustomization.ts';
import { objectRef } from '../api/object-meta.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import { isSluiceError, SluiceError } from '../core/errors.ts';
import { withFleetSource } from '../core/generator/generated-artifact.ts';
import { fetchSpecOf, type SourceObject } from '../core/pipeline/fetch-spec-of.ts';
import type {
  ConfigRecord,
  Declarations,
  HelmReleaseRecord,
  KustomizationRecord,
  SourceDeclarer,
} from '../core/pipeline/records.ts';
import { parseSourceRefKey, sourceRefKey } from '../core/pipeline/source-kind.ts';
import type { SplitResult } from '../core/pipeline/split-rendered-objects.ts';
import type { ObjectKey, SourceRef } from '../core/pipeline/state-keys.ts';
import { kustomizationTarget, type Target } from '../core/pipeline/target.ts';
import { asKustomizationRecord } from '../core/pipeline/target-record.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { enqueueFetch, enqueueRender } from './enqueue.ts';
import { isFormerRoot } from './fleet-root-names.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { stopWaiting, waitForSource, wakeWaiters } from './source-waiters.ts';
import { discoverGeneratedArtifacts } from './sources/discover-artifacts.ts';
import { followMovedSource } from './sources/follow-moved-source.ts';
import { type StateStore, stateOf } from './state-store.ts';

export const MAX_DEPTH = 8;

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
const keyOf = (k: { namespace: string; name: string }) => `${k.namespace}/${k.name}`;

/** What the steps of one parent's registration share. */
interface Registration {
  deps: PipelineDeps;
  state: StateStore;
  cluster: string;
  parentKey: ObjectKey;
}

/** The children (`namespace/name`) this render declares, and those whose render it queued. */
export interface RegisteredChildren {
  declared: string[];
  queued: Set<string>;
}

export async function registerChildren(
  deps: PipelineDeps,
  parent: KustomizationRecord & { ancestors?: string[] },
  split: SplitResult,
  fleetSourceKey: string,
): Promise<RegisteredChildren> {
  const { cluster } = parent;
  const parentKey: ObjectKey = {
    namespace: parent.kustomization.metadata.namespace,
    name: parent.kustomization.metadata.name,
  };
  const state = stateOf(deps);
  const reg: Registration = { deps, state, cluster, parentKey };
  const previous = (await state.getDeclarations(cluster, parentKey)) ?? {
    kustomizations: [],
    configs: [],
    sources: [],
  };
  const declaresNothing =
    split.gitRepositories.length +
      split.chartSources.length +
      split.kustomizations.length +
      split.helmReleases.length +
      split.configs.length +
      split.artifacts.length +
      split.discoveries.length ===
    0;
  // The common case, a leaf Kustomization: nothing declared before or now, so no registry work at all.
  if (
    declaresNothing &&
    previous.kustomizations.length +
      (previous.helmReleases?.length ?? 0) +
      previous.configs.length +
      previous.sources.length ===
      0
  )
    return { declared: [], queued: new Set() };

  // 0. refuse before writing anything: children recorded by a refused render would never be withdrawn
  const ancestors = [...(parent.ancestors ?? []), keyOf(parentKey)];
  const existingRecords = await refuseInvalidChildren(
    deps.store,
    state,
    cluster,
    parentKey,
    ancestors,
    split.kustomizations,
  );
  // 1. ConfigMaps/Secrets, for substituteFrom and for the credentials of the sources declared next
  const { changed, keys: configKeys } = await syncConfigs(
    state,
    cluster,
    parentKey,
    split.configs,
    previous.configs,
  );
  // 2. sources declared here: the spec is the same bytes from every declarer; the interval is this one's own
  const declaredSources: SourceObject[] = [
    ...split.gitRepositories,
    ...withoutRefusedCharts(split, deps.settings.noCrossNamespaceRefs === true),
    // ArtifactGenerator outputs: composed from the sources above once they are fetched (compose-artifact.ts).
    ...split.artifacts.map((a) => withFleetSource(a, fleetSourceKey)),
  ];
  const { sources, declarerKeys } = await registerSources(reg, declaredSources, fleetSourceKey);
  // 2b. artifacts of ArtifactGenerators with spec.pathPattern, found in their source's directories
  const discovered = (
    await discoverGeneratedArtifacts(
      { deps, cluster, parentKey, sources, fleetSourceKey, warnings: split.warnings },
      split.discoveries,
    )
  ).map((a) => withFleetSource(a, fleetSourceKey));
  if (discovered.length > 0) {
    const more = await registerSources(reg, discovered, fleetSourceKey);
    for (const [k, v] of more.sources) sources.set(k, v);
    declarerKeys.push(...more.declarerKeys);
  }
  // 3. Kustomizations declared here
  const { declared, enqueued } = await registerKustomizations(
    reg,
    split.kustomizations,
    ancestors,
    sources,
    existingRecords,
  );
  const releases = await registerHelmReleases(reg, split.helmReleases, ancestors, sources);
  // 4. withdraw what this parent declared before and no longer does
  const sourceKeys = [...declaredSources, ...discovered].map((r) => sourceRefKey(r.kind, r.metadata));
  await withdrawKustomizations(reg, previous.kustomizations, declared);
  await withdrawTargets(reg, 'HelmRelease', previous.helmReleases ?? [], releases.declared);
  await withdrawSources(reg, previous, sourceKeys, declarerKeys);
  // 5. record what it declares now, and re-render whoever substitutes from a changed config
  const next: Declarations = {
    kustomizations: [...declared].sort(),
    ...((releases.declared.size > 0 || previous.helmReleases) && {
      helmReleases: [...releases.declared].sort(),
    }),
    configs: configKeys.sort(),
    sources: sourceKeys.sort(),
    sourceDeclarers: [...new Set(declarerKeys)].sort(),
  };
  if (!same(next, previous)) await state.putDeclarations(cluster, parentKey, next);
  if (changed.size > 0) await rerenderConsumers(deps, cluster, changed, enqueued, releases.enqueued);
  return { declared: next.kustomizations, queued: enqueued };
}

/**
 * Step 1: a fetch spec, this parent's declarer record and the cluster's name → source record per source
 * (GitRepository, OCIRepository, Bucket, HelmRepository, HelmChart). The map is keyed by sourceRefKey.
 */
async function registerSources(
  { deps, state, cluster, parentKey }: Registration,
  declared: SourceObject[],
  fleetSourceKey: string,
): Promise<{ sources: Map<string, string>; declarerKeys: string[] }> {
  const sources = new Map<string, string>([['flux-system/flux-system', fleetSourceKey]]);
  const declarerKeys: string[] = [];
  for (const source of declared) {
    const spec = fetchSpecOf(source, cluster);
    sources.set(sourceRefKey(source.kind, source.metadata), spec.sourceKey);
    await state.putFetchSpec(spec);
    const declarer: SourceDeclarer = {
      cluster,
      ...(source.kind !== 'GitRepository' && { kind: source.kind }),
      namespace: source.metadata.namespace,
      name: source.metadata.name,
      intervalMs: source.spec.intervalMs,
      ...(source.spec.suspend && { suspended: true }),
      parent: parentKey,
    };
    declarerKeys.push(await state.putDeclarer(spec.sourceKey, declarer));
    const before = await state.getClusterSource(cluster, source.metadata, source.kind);
    await state.putClusterSource(
      cluster,
      source.metadata,
      { sourceKey: spec.sourceKey, parent: parentKey },
      source.kind,
    );
    if (before && before.sourceKey !== spec.sourceKey)
      await followMovedSource(deps, before.sourceKey, spec.sourceKey);
    await wakeWaiters(deps, cluster, { kind: source.kind, ...objectKeyOf(source.metadata) });
    const upstream = spec.helmChart?.sourceRef;
    if (upstream && !(await state.getClusterSource(cluster, upstream, upstream.kind)))
      await waitForSource(deps, cluster, upstream, {
        kind: 'HelmChart',
        ...objectKeyOf(source.metadata),
        sourceKey: spec.sourceKey,
      });
    if (!(await state.getFetchState(spec.sourceKey))?.snapshotDigest) {
      await enqueueFetch(deps, spec.sourceKey, 'registration', deps.clock.now());
    }
  }
  return { sources, declarerKeys };
}

/** Step 2: a record per child Kustomization, subscribed to its source; a changed record renders again. */
async function registerKustomizations(
  { deps, state, cluster, parentKey }: Registration,
  children: Kustomization[],
  ancestors: string[],
  sources: Map<string, string>,
  existingRecords: Map<string, KustomizationRecord | undefined>,
): Promise<{ declared: Set<string>; enqueued: Set<string> }> {
  const declared = new Set<string>();
  const enqueued = new Set<string>();
  for (const ks of children) {
    const key = keyOf(ks.metadata);
    declared.add(key);
    const ref = sourceOfKustomization(ks);
    const sourceKey = ref
      ? (sources.get(sourceRefKey(ref.kind, ref)) ??
        (await state.getClusterSource(cluster, ref, ref.kind))?.sourceKey ??
        '')
      : '';
    const record: KustomizationRecord & { ancestors: string[] } = {
      cluster,
      kustomization: ks,
      sourceKey,
      parent: parentKey,
      ancestors,
    };
    const existing = existingRecords.get(key);
    if (existing && same(existing, record)) continue;
    const target = kustomizationTarget(ks.metadata);
    await storeAndRender(deps, state, target, existing?.sourceKey, record, ref);
    enqueued.add(key);
  }
  return { declared, enqueued };
}

/**
 * Step 3, HelmReleases: a record per release, subscribed to its chart's source (the HelmChart its spec.chart
 * implies, or its chartRef); a changed record renders again. Another parent's release is refused.
 */
async function registerHelmReleases(
  { deps, state, cluster, parentKey }: Registration,
  releases: HelmRelease[],
  ancestors: string[],
  sources: Map<string, string>,
): Promise<{ declared: Set<string>; enqueued: Set<string> }> {
  const declared = new Set<string>();
  const enqueued = new Set<string>();
  for (const hr of releases) {
    const key = keyOf(hr.metadata);
    declared.add(key);
    const target: Target = { kind: 'HelmRelease', namespace: hr.metadata.namespace, name: hr.metadata.name };
    const existing = await state.getTargetRecord(cluster, target);
    await refuseOtherParent(deps.store, state, existing, 'HelmRelease', key, parentKey, cluster);
    const chart = chartSourceOf(hr);
    const sourceKey =
      sources.get(sourceRefKey(chart.kind, chart)) ??
      (await state.getClusterSource(cluster, chart, chart.kind))?.sourceKey ??
      '';
    const record: HelmReleaseRecord = { cluster, helmRelease: hr, sourceKey, parent: parentKey, ancestors };
    if (existing && same(existing, record)) continue;
    await storeAndRender(deps, state, target, existing?.sourceKey, record, chart);
    enqueued.add(key);
  }
  return { declared, enqueued };
}

/**
 * Under Flux's --no-cross-namespace-refs, the HelmChart a HelmRelease's template implies in another namespace
 * is not created (its release is refused when it renders): nothing is fetched with that namespace's credentials.
 */
function withoutRefusedCharts(
  split: SplitResult,
  noCrossNamespaceRefs: boolean,
): SplitResult['chartSources'] {
  if (!noCrossNamespaceRefs) return split.chartSources;
  const refused = new Set(
    split.helmReleases
      .filter((hr) => hr.spec.chart && hr.spec.chart.helmChart.metadata.namespace !== hr.metadata.namespace)
      .map((hr) => keyOf((hr.spec.chart as NonNullable<HelmRelease['spec']['chart']>).helmChart.metadata)),
  );
  return split.chartSources.filter((s) => s.kind !== 'HelmChart' || !refused.has(keyOf(s.metadata)));
}

/** Where a HelmRelease's chart comes from: the HelmChart its spec.chart implies, or its chartRef. */
export function chartSourceOf(
  hr: HelmRelease,
): { kind: 'HelmChart' | 'OCIRepository' | 'ExternalArtifact' } & ObjectKey {
  if (hr.spec.chart)
    return {
      kind: 'HelmChart',
      namespace: hr.spec.chart.helmChart.metadata.namespace,
      name: hr.spec.chart.helmChart.metadata.name,
    };
  const ref = hr.spec.chartRef as NonNullable<HelmRelease['spec']['chartRef']>;
  return { kind: ref.kind, namespace: ref.namespace, name: ref.name };
}

/** Step 4, other kinds: a target no longer declared loses its record; its render publishes the removal. */
async function withdrawTargets(
  { deps, state, cluster, parentKey }: Registration,
  kind: 'HelmRelease',
  previous: string[],
  declared: Set<string>,
): Promise<void> {
  for (const key of previous) {
    if (declared.has(key)) continue;
    const target: Target = { kind, ...splitKey(key) };
    const record = await state.getTargetRecord(cluster, target);
    if (!record?.parent || !same(record.parent, parentKey)) continue;
    await state.deleteTargetRecord(cluster, target);
    if (record.sourceKey) await state.unsubscribe(record.sourceKey, cluster, target);
    else if ('helmRelease' in record)
      await stopWaiting(deps, cluster, chartSourceOf(record.helmRelease), target);
    await enqueueRender(deps, cluster, target);
  }
}

/** Step 3a: a child no longer declared loses its record; its render then finds none and publishes the prune tombstone. */
async function withdrawKustomizations(
  { deps, state, cluster, parentKey }: Registration,
  previous: string[],
  declared: Set<string>,
): Promise<void> {
  for (const key of previous) {
    if (declared.has(key)) continue;
    const target = kustomizationTarget(splitKey(key));
    const record = await state.getTargetRecord(cluster, target);
    if (!record?.parent || !same(record.parent, parentKey)) continue;
    await state.deleteTargetRecord(cluster, target);
    if (record.sourceKey) await state.unsubscribe(record.sourceKey, cluster, target);
    else {
      const source = 'kustomization' in record ? sourceOfKustomization(record.kustomization) : undefined;
      if (source) await stopWaiting(deps, cluster, source, target);
    }
    await enqueueRender(deps, cluster, target);
  }
}

/**
 * Step 3b: this parent's name → source records and declarer records it no longer writes (or that moved to
 * another URL, ref or secret, and so another source). Another parent may have taken a GitRepository over
 * meanwhile, and other declarers of the same source keep theirs: only this parent's own records go.
 */
async function withdrawSources(
  { state, cluster, parentKey }: Registration,
  previous: Declarations,
  sourceKeys: string[],
  declarerKeys: string[],
): Promise<void> {
  for (const key of previous.sources) {
    if (sourceKeys.includes(key)) continue;
    const { kind, ref } = parseSourceRefKey(key);
    const record = await state.getClusterSource(cluster, ref, kind);
    if (record && same(record.parent, parentKey)) await state.deleteClusterSource(cluster, ref, kind);
  }
  // Declarations written before per-declarer source records list none: nothing of this parent's there.
  for (const key of previous.sourceDeclarers ?? []) {
    if (declarerKeys.includes(key)) continue;
    const record = await state.getDeclarerAt(key);
    if (record && same(record.parent, parentKey)) await state.deleteAt(key);
  }
}

/**
 * Cycles, nesting deeper than MAX_DEPTH, and a Kustomization another parent declares: all checked before any
 * write. Returns the children's current records, read once.
 */
async function refuseInvalidChildren(
  store: ObjectStore,
  state: StateStore,
  cluster: string,
  parentKey: ObjectKey,
  ancestors: string[],
  children: Kustomization[],
): Promise<Map<string, KustomizationRecord | undefined>> {
  const parentRef = objectRef('Kustomization', parentKey);
  const existingRecords = new Map<string, KustomizationRecord | undefined>();
  for (const ks of children) {
    const key = keyOf(ks.metadata);
    if (ancestors.includes(key)) {
      throw new SluiceError(
        'ValidationFailed',
        `${parentRef}: declares Kustomization ${key}, which is itself or one of its ancestors (${ancestors.join(' → ')}); remove the cycle`,
        { object: parentRef },
      );
    }
    if (ancestors.length >= MAX_DEPTH) {
      throw new SluiceError(
        'ValidationFailed',
        `${parentRef}: Kustomizations nest deeper than ${MAX_DEPTH} levels (${ancestors.join(' → ')})`,
        { object: parentRef },
      );
    }
    const existing = await state.getTargetRecord(cluster, kustomizationTarget(ks.metadata));
    await refuseOtherParent(store, state, existing, 'Kustomization', key, parentKey, cluster);
    existingRecords.set(key, asKustomizationRecord(existing));
  }
  return existingRecords;
}

/**
 * A child another Kustomization already declares in this cluster is refused: one parent owns a child. A
 * child of a root renamed in the configuration (gone, fleet-root-names.ts) is this parent's to take over.
 */
async function refuseOtherParent(
  store: ObjectStore,
  state: StateStore,
  existing: { parent?: ObjectKey | null | undefined } | undefined,
  kind: 'Kustomization' | 'HelmRelease',
  key: string,
  parentKey: ObjectKey,
  cluster: string,
): Promise<void> {
  if (!existing || same(existing.parent, parentKey)) return;
  const parent = existing.parent;
  if (
    parent &&
    (await isFormerRoot(store, cluster, parent)) &&
    !(await state.getTargetRecord(cluster, kustomizationTarget(parent)))
  )
    return;
  const parentRef = objectRef('Kustomization', parentKey);
  throw new SluiceError(
    'ValidationFailed',
    `${parentRef}: ${kind} ${key} is already declared by Kustomization ${keyOf(existing.parent ?? { namespace: '', name: '' })} in cluster ${cluster}; declare it once`,
    { object: parentRef },
  );
}

/**
 * Writes a child's changed record, moves its subscription to its (new) source, and renders it again. A child
 * whose source is not declared yet waits for it (source-waiters.ts): a sibling declaring it renders this again.
 */
async function storeAndRender(
  deps: PipelineDeps,
  state: StateStore,
  target: Target,
  previousSourceKey: string | undefined,
  record: KustomizationRecord | HelmReleaseRecord,
  source: SourceRef | undefined,
): Promise<void> {
  const { cluster, sourceKey } = record;
  if (previousSourceKey && previousSourceKey !== sourceKey)
    await state.unsubscribe(previousSourceKey, cluster, target);
  await state.putTargetRecord(record);
  if (sourceKey) await state.subscribe(sourceKey, cluster, target);
  else if (source) await waitForSource(deps, cluster, source, target);
  await enqueueRender(deps, cluster, target);
}

/** The cluster source a Kustomization renders from, when it is a kind the cluster declares by name. */
function sourceOfKustomization(ks: Kustomization): SourceRef | undefined {
  const { kind, name, namespace } = ks.spec.sourceRef;
  if (
    kind !== 'GitRepository' &&
    kind !== 'OCIRepository' &&
    kind !== 'Bucket' &&
    kind !== 'ExternalArtifact'
  )
    return undefined;
  return { kind, namespace: namespace ?? ks.metadata.namespace, name };
}

const objectKeyOf = (k: ObjectKey): ObjectKey => ({ namespace: k.namespace, name: k.name });

function splitKey(ref: string): ObjectKey {
  const [namespace = '', name = ''] = ref.split('/');
  return { namespace, name };
}

async function syncConfigs(
  state: StateStore,
  cluster: string,
  parent: ObjectKey,
  configs: ConfigData[],
  previous: string[],
): Promise<{ changed: Set<string>; keys: string[] }> {
  const changed = new Set<string>();
  const keys: string[] = [];
  for (const c of configs) {
    const record: ConfigRecord = {
      kind: c.kind,
      namespace: c.metadata.namespace,
      name: c.metadata.name,
      data: c.data,
      parent,
    };
    // A record that does not open (an earlier version's plaintext, or tampered) is simply written again.
    const existing = await state.getConfig(cluster, c.kind, c.metadata).catch((err: unknown) => {
      if (isSluiceError(err) && err.code === 'DecryptionFailed') return undefined;
      throw err;
    });
    if (existing && same(existing, record)) {
      keys.push(state.configRef(cluster, record));
      continue;
    }
    keys.push(await state.putConfig(cluster, record));
    changed.add(`${c.kind}/${keyOf(c.metadata)}`);
  }
  for (const path of previous) {
    if (keys.includes(path)) continue;
    const record = await state.getConfigAt(path);
    if (!record || !same(record.parent, parent)) continue;
    await state.deleteAt(path);
    changed.add(`${record.kind}/${record.namespace}/${record.name}`);
  }
  return { changed, keys };
}

/**
 * Kustomizations whose substituteFrom, and HelmReleases whose valuesFrom, names a changed ConfigMap/Secret
 * render again; added to `queued` (resp. `queuedReleases`).
 */
async function rerenderConsumers(
  deps: PipelineDeps,
  cluster: string,
  changed: Set<string>,
  queued: Set<string>,
  queuedReleases: Set<string>,
): Promise<void> {
  for (const { helmRelease: hr } of await stateOf(deps).listHelmReleaseRecords(cluster)) {
    const uses = hr.spec.valuesFrom.some((v) => changed.has(`${v.kind}/${hr.metadata.namespace}/${v.name}`));
    if (!uses || queuedReleases.has(keyOf(hr.metadata))) continue;
    await enqueueRender(deps, cluster, {
      kind: 'HelmRelease',
      namespace: hr.metadata.namespace,
      name: hr.metadata.name,
    });
    queuedReleases.add(keyOf(hr.metadata));
  }
  for (const record of await stateOf(deps).listTargetRecords(cluster)) {
    const ks = record.kustomization;
    const uses = ks?.spec.postBuild?.substituteFrom?.some((f) =>
      changed.has(`${f.kind}/${ks.metadata.namespace}/${f.name}`),
    );
    if (!ks || !uses || queued.has(keyOf(ks.metadata))) continue;
    await enqueueRender(deps, cluster, kustomizationTarget(ks.metadata));
    queued.add(keyOf(ks.metadata));
  }
}
