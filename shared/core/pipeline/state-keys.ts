// Where every piece of control-plane state lives in the object store. Each key has exactly one writer at
// a time (a FIFO message group), which is what makes the store safe without conditional writes.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';

export interface ObjectKey {
  namespace: string;
  name: string;
}

const ref = (k: ObjectKey) => `${k.namespace}/${k.name}`;

export const stateKeys = {
  /** What to fetch: the source's identity only (its key is a digest of it), so any writer writes the same bytes. */
  fetchSpec: (sourceKey: string) => `fetch/${sourceKey}/spec.json`,
  /**
   * One declaration of the source, with its interval: a cluster's GitRepository (written by the render that
   * declared it) or the fleet repository (written at start-up). Declarers never write each other's records.
   */
  sourceDeclarer: (
    sourceKey: string,
    d: { cluster?: string | undefined; namespace: string; name: string },
  ) =>
    d.cluster === undefined
      ? `fetch/${sourceKey}/declarers/fleet.json`
      : `fetch/${sourceKey}/declarers/clusters/${d.cluster}/${ref(d)}.json`,
  sourceDeclarers: (sourceKey: string) => `fetch/${sourceKey}/declarers/`,
  /** Written by fetch jobs of this source only (message group = sourceKey). */
  fetchState: (sourceKey: string) => `fetch/${sourceKey}/state.json`,
  /** Marker: this Kustomization renders from this source. */
  fetchUser: (sourceKey: string, cluster: string, ks: ObjectKey) =>
    `fetch/${sourceKey}/users/${cluster}/${ref(ks)}`,
  fetchUsers: (sourceKey: string) => `fetch/${sourceKey}/users/`,
  fetchSpecs: () => 'fetch/',
  /** A snapshot bundle, named by the digest of its bytes (FetchState.bundleDigest): checked on every load. */
  snapshot: (bundleDigest: string) => `snapshots/${bundleDigest.replace(/^sha256:/, '')}.bundle.gz`,
  /** Declared by the render of the parent Kustomization (message group of the parent). */
  kustomization: (cluster: string, ks: ObjectKey) => `clusters/${cluster}/kustomizations/${ref(ks)}.json`,
  kustomizations: (cluster: string) => `clusters/${cluster}/kustomizations/`,
  /** A cluster's GitRepository name → its fetch identity; written by the render that declared it. */
  source: (cluster: string, k: ObjectKey) => `clusters/${cluster}/sources/${ref(k)}.json`,
  /** What a Kustomization's render declared (children, configs, sources); written by that render only. */
  declared: (cluster: string, ks: ObjectKey) => `clusters/${cluster}/declared/${ref(ks)}.json`,
  config: (cluster: string, kind: 'ConfigMap' | 'Secret', k: ObjectKey) =>
    `clusters/${cluster}/configs/${kind}/${ref(k)}.json`,
  configs: (cluster: string) => `clusters/${cluster}/configs/`,
  /** Written by render jobs of this Kustomization only (message group = cluster/namespace/name). */
  index: (cluster: string, ks: ObjectKey) => `clusters/${cluster}/index/${ref(ks)}.json`,
  indexes: (cluster: string) => `clusters/${cluster}/index/`,
  renderStatus: (cluster: string, ks: ObjectKey) => `clusters/${cluster}/render-status/${ref(ks)}.json`,
  applyStatus: (cluster: string, ks: ObjectKey) => `clusters/${cluster}/apply-status/${ref(ks)}.json`,
  clusterPrefix: (cluster: string) => `clusters/${cluster}/`,
};

export function sourceKeyOf(spec: {
  url: string;
  ref?: unknown;
  ignore?: string | undefined;
  secret?: unknown;
}): string {
  const canonical = canonicalJson([spec.url, spec.ref ?? null, spec.ignore ?? null, spec.secret ?? null]);
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
