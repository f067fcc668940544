// Where every piece of control-plane state lives in the object store; only usecases/state-store.ts reads or
// writes them. Each key has one writer at a time (a FIFO message group): the store needs no conditional writes.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import { storePrefixes } from './resource-names.ts';
import type { SourceKind } from './source-kind.ts';
import { kustomizationTarget, parseTargetKey, type Target, type TargetKind, targetKey } from './target.ts';

export interface ObjectKey {
  namespace: string;
  name: string;
}

const ref = (k: ObjectKey) => `${k.namespace}/${k.name}`;

/** A cluster's source by kind and name. */
export type SourceRef = { kind: SourceKind } & ObjectKey;

const waitersOf = (cluster: string, s: SourceRef) =>
  `${storePrefixes.cluster(cluster)}waiting/${s.kind}/${ref(s)}/`;

const RECORD_AREAS: Record<TargetKind, string> = {
  Kustomization: 'kustomizations',
  HelmRelease: 'helmreleases',
};

export const stateKeys = {
  /** What to fetch: the source's identity only (its key is a digest of it), so any writer writes the same bytes. */
  fetchSpec: (sourceKey: string) => `${storePrefixes.fetch}${sourceKey}/spec.json`,
  /**
   * One declaration of the source, with its interval: a cluster's GitRepository (written by the render that
   * declared it) or the fleet repository (written at start-up). Declarers never write each other's records.
   */
  sourceDeclarer: (
    sourceKey: string,
    d: { cluster?: string | undefined; namespace: string; name: string },
  ) =>
    d.cluster === undefined
      ? `${storePrefixes.fetch}${sourceKey}/declarers/fleet.json`
      : `${storePrefixes.fetch}${sourceKey}/declarers/clusters/${d.cluster}/${ref(d)}.json`,
  sourceDeclarers: (sourceKey: string) => `${storePrefixes.fetch}${sourceKey}/declarers/`,
  /** Written by fetch jobs of this source only (message group = sourceKey). */
  fetchState: (sourceKey: string) => `${storePrefixes.fetch}${sourceKey}/state.json`,
  /** Marker: this target renders from this source. */
  fetchUser: (sourceKey: string, cluster: string, target: Target) =>
    `${storePrefixes.fetch}${sourceKey}/users/${cluster}/${targetKey(target)}`,
  fetchUsers: (sourceKey: string) => `${storePrefixes.fetch}${sourceKey}/users/`,
  fetchSpecs: () => storePrefixes.fetch,
  /** A snapshot bundle, named by the digest of its bytes (FetchState.bundleDigest): checked on every load. */
  snapshot: (bundleDigest: string) =>
    `${storePrefixes.snapshots}${bundleDigest.replace(/^sha256:/, '')}.bundle.gz`,
  /**
   * A target's declared record (its spec, source and parent), written by the render of the parent that
   * declared it (message group of the parent). One area per kind, so the layout of earlier versions holds.
   */
  targetRecord: (cluster: string, t: Target) =>
    `${storePrefixes.cluster(cluster)}${RECORD_AREAS[t.kind]}/${ref(t)}.json`,
  kustomization: (cluster: string, ks: ObjectKey) =>
    `${storePrefixes.kustomizations(cluster)}${ref(ks)}.json`,
  kustomizations: (cluster: string) => storePrefixes.kustomizations(cluster),
  /** Declared records of one kind (stateKeys.targetRecord's area). */
  targetRecords: (cluster: string, kind: TargetKind) =>
    `${storePrefixes.cluster(cluster)}${RECORD_AREAS[kind]}/`,
  /** What the cluster's puller last reported of its API server (version, API versions). */
  capabilities: (cluster: string) => storePrefixes.capabilities(cluster),
  /**
   * A cluster's source name → its fetch identity; written by the render that declared it. GitRepositories
   * keep the layout of earlier versions; other kinds live under their kind (never a namespace: those are lower-case).
   */
  source: (cluster: string, k: ObjectKey, kind: SourceKind = 'GitRepository') =>
    `${storePrefixes.sources(cluster)}${kind === 'GitRepository' ? '' : `${kind}/`}${ref(k)}.json`,
  sources: (cluster: string, kind: SourceKind) => `${storePrefixes.sources(cluster)}${kind}/`,
  /** Marker: this source (a HelmChart) is built from that one, and is fetched again when it moves. */
  fetchDependent: (sourceKey: string, dependent: string) =>
    `${storePrefixes.fetch}${sourceKey}/dependents/${dependent}`,
  fetchDependents: (sourceKey: string) => `${storePrefixes.fetch}${sourceKey}/dependents/`,
  /**
   * Marker with its waiter: this target or HelmChart waits for the cluster's source `s`, not declared yet.
   * Written by the render that registered the waiter; read and deleted by the render that declares `s`.
   */
  sourceWaiter: (cluster: string, s: SourceRef, w: { kind: string; namespace: string; name: string }) =>
    `${waitersOf(cluster, s)}${w.kind}/${ref(w)}.json`,
  sourceWaiters: (cluster: string, s: SourceRef) => waitersOf(cluster, s),
  /** What a Kustomization's render declared (children, configs, sources); written by that render only. */
  declared: (cluster: string, ks: ObjectKey) => `${storePrefixes.cluster(cluster)}declared/${ref(ks)}.json`,
  config: (cluster: string, kind: 'ConfigMap' | 'Secret', k: ObjectKey) =>
    `${storePrefixes.configs(cluster, kind)}${ref(k)}.json`,
  configs: (cluster: string) => storePrefixes.configs(cluster),
  /** The cluster a config record's key (stateKeys.config) belongs to. */
  clusterOfConfig: (path: string) =>
    path.startsWith(storePrefixes.clusters) ? (path.split('/')[1] ?? '') : '',
  /** The data key Secret values of this cluster are sealed with, as the key service wrapped it. */
  dataKey: (cluster: string) => storePrefixes.dataKey(cluster),
  /**
   * Written by render jobs of this target only (message group = cluster/kind/namespace/name). The kind is
   * inside the prefix a puller may read (`clusters/<c>/index/*`), so its IAM policy stays as it is.
   */
  index: (cluster: string, target: Target) => `${storePrefixes.index(cluster)}${targetKey(target)}.json`,
  indexes: (cluster: string) => storePrefixes.index(cluster),
  renderStatus: (cluster: string, target: Target) =>
    `${storePrefixes.cluster(cluster)}render-status/${targetKey(target)}.json`,
  renderStatuses: (cluster: string) => `${storePrefixes.cluster(cluster)}render-status/`,
  /**
   * An empty marker per target whose last render failed, beside its render status and written with it: the
   * scheduler lists these (one LIST per cluster and tick) instead of reading every render status.
   */
  renderFailure: (cluster: string, target: Target) =>
    `${storePrefixes.cluster(cluster)}render-failed/${targetKey(target)}.json`,
  renderFailures: (cluster: string) => `${storePrefixes.cluster(cluster)}render-failed/`,
  applyStatus: (cluster: string, target: Target) =>
    `${storePrefixes.applyStatus(cluster)}${targetKey(target)}.json`,
  clusterPrefix: (cluster: string) => storePrefixes.cluster(cluster),
};

/**
 * Where versions before targets kept a Kustomization's records (`<area>/<namespace>/<name>.json`, no kind):
 * read when the new key is missing, deleted when the new one is written. Other kinds never lived there.
 */
export const legacyKeys = {
  index: (cluster: string, t: Target) => legacy(t, storePrefixes.index(cluster)),
  renderStatus: (cluster: string, t: Target) => legacy(t, `${storePrefixes.cluster(cluster)}render-status/`),
  applyStatus: (cluster: string, t: Target) => legacy(t, storePrefixes.applyStatus(cluster)),
  fetchUser: (sourceKey: string, cluster: string, t: Target) =>
    t.kind === 'Kustomization' ? `${storePrefixes.fetch}${sourceKey}/users/${cluster}/${ref(t)}` : undefined,
};

function legacy(t: Target, prefix: string): string | undefined {
  return t.kind === 'Kustomization' ? `${prefix}${ref(t)}.json` : undefined;
}

/**
 * A target's record key listed under `prefix` back to the target: `<Kind>/<ns>/<name>.json`, or the layout
 * of earlier versions, `<ns>/<name>.json`, which only Kustomizations had. Anything else is undefined.
 */
export function targetFromPath(path: string, prefix: string): Target | undefined {
  if (!path.startsWith(prefix) || !path.endsWith('.json')) return undefined;
  return targetFromSegments(path.slice(prefix.length, -'.json'.length));
}

/** `<cluster>/<Kind>/<ns>/<name>` (or the earlier `<cluster>/<ns>/<name>`) under stateKeys.fetchUsers. */
export function fetchUserFromPath(
  path: string,
  prefix: string,
): { cluster: string; target: Target } | undefined {
  const rest = path.startsWith(prefix) ? path.slice(prefix.length) : '';
  const slash = rest.indexOf('/');
  const target = slash > 0 ? targetFromSegments(rest.slice(slash + 1)) : undefined;
  return target && { cluster: rest.slice(0, slash), target };
}

function targetFromSegments(segments: string): Target | undefined {
  const parts = segments.split('/');
  if (parts.length === 2 && parts[0] && parts[1])
    return kustomizationTarget({ namespace: parts[0], name: parts[1] });
  return parseTargetKey(segments);
}

export function sourceKeyOf(spec: {
  url: string;
  ref?: unknown;
  ignore?: string | undefined;
  secret?: unknown;
  /** Everything else that names a non-Git source (its kind and fields); Git keys stay as they were. */
  more?: unknown;
}): string {
  const parts: unknown[] = [spec.url, spec.ref ?? null, spec.ignore ?? null, spec.secret ?? null];
  if (spec.more !== undefined) parts.push(spec.more);
  const canonical = canonicalJson(parts);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 24);
}

/** Whether a key listed under fetchSpecs() is a source's spec (and not a declarer or user named `spec.json`). */
export function isFetchSpecKey(path: string): boolean {
  return /^fetch\/[^/]+\/spec\.json$/.test(path);
}

/** `clusters/<c>/<area>/<ns>/<name>.json` back to the object key. */
export function keyFromPath(path: string, prefix: string): ObjectKey {
  const [namespace = '', name = ''] = path
    .slice(prefix.length)
    .replace(/\.json$/, '')
    .split('/');
  return { namespace, name };
}
