// Registry of served resource types: the built-ins plus whatever established CustomResourceDefinitions
// add (one ResourceType per served version); lookups by URL segment or by apiVersion+kind.

import { isMap } from './json.ts';
import { apiVersionOf, builtinResourceTypes, type ResourceType } from './resources.ts';
import type { KubeObject } from './types.ts';

/** Kubernetes version priority: GA > beta > alpha, higher numbers first, then other strings alphabetically. */
export function compareVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stability = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a.localeCompare(b);
  for (let i = 0; i < 3; i++) {
    const diff = (rb[i] ?? 0) - (ra[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export interface ServedGroup {
  name: string;
  /** Highest priority first; the first one is the preferred version. */
  versions: string[];
}

export class ResourceRegistry {
  #types: ResourceType[] = builtinResourceTypes();

  all(): ResourceType[] {
    return [...this.#types];
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.#types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  findByKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.#types.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
  }

  /** Every version of the same group+plural (e.g. all served versions of one CRD). */
  versionsOf(type: ResourceType): ResourceType[] {
    return this.#types.filter((t) => t.group === type.group && t.plural === type.plural);
  }

  typesIn(group: string, version: string): ResourceType[] {
    return this.#types.filter((t) => t.group === group && t.version === version);
  }

  /** Named API groups (the core group excluded), in registration order. */
  groups(): ServedGroup[] {
    const byName = new Map<string, Set<string>>();
    for (const t of this.#types) {
      if (!t.group) continue;
      const versions = byName.get(t.group) ?? new Set<string>();
      versions.add(t.version);
      byName.set(t.group, versions);
    }
    return [...byName].map(([name, versions]) => ({
      name,
      versions: [...versions].sort(compareVersionPriority),
    }));
  }

  /** Registers (or re-registers) the served versions of a CRD. */
  registerCrd(crd: KubeObject): void {
    const name = crd.metadata.name ?? '';
    this.unregisterCrd(name);
    const spec = isMap(crd.spec) ? crd.spec : {};
    const names = isMap(spec.names) ? spec.names : {};
    const group = String(spec.group ?? '');
    const kind = String(names.kind ?? '');
    const plural = String(names.plural ?? '');
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isMap) : [];
    for (const v of versions) {
      if (v.served === false) continue;
      const subresources = isMap(v.subresources) ? v.subresources : {};
      this.#types.push({
        group,
        version: String(v.name ?? ''),
        kind,
        listKind: typeof names.listKind === 'string' ? names.listKind : `${kind}List`,
        plural,
        singular: typeof names.singular === 'string' ? names.singular : kind.toLowerCase(),
        namespaced: spec.scope !== 'Cluster',
        shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
        categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
        statusSubresource: isMap(subresources.status),
        tracksGeneration: true,
        nameRule: 'subdomain',
        crd: name,
      });
    }
  }

  unregisterCrd(name: string): void {
    this.#types = this.#types.filter((t) => t.crd !== name);
  }
}
