// The API group of an apiVersion (`apps/v1` → `apps`, `v1` → the core group ''), and the `group/Kind` key
// that kstatus and Flux match rules on: versions never matter.

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** `Kind` for the core group, `group/Kind` otherwise. */
export function groupKindKey(group: string, kind: string): string {
  return group === '' ? kind : `${group}/${kind}`;
}
