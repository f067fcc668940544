// URL path parsing: turns a request path into either a discovery/metadata endpoint or a resource target
// (group, version, plural, optional namespace, name and subresource), the way the real API server routes.

export type Route =
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'coreVersions' }
  | { kind: 'groupList' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | { kind: 'resource'; target: ResourceTarget }
  | { kind: 'unknown' };

export interface ResourceTarget {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function parseRoute(pathname: string): Route {
  const segments = pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  const [root, ...rest] = segments;
  if (segments.length === 1 && root === 'version') return { kind: 'version' };
  if (segments.length === 1 && (root === 'healthz' || root === 'readyz' || root === 'livez')) {
    return { kind: 'health' };
  }
  if (root === 'api') {
    if (rest.length === 0) return { kind: 'coreVersions' };
    const [version, ...tail] = rest;
    if (version === undefined) return { kind: 'unknown' };
    if (tail.length === 0) return { kind: 'resourceList', group: '', version };
    return resourceRoute('', version, tail);
  }
  if (root === 'apis') {
    if (rest.length === 0) return { kind: 'groupList' };
    const [group, version, ...tail] = rest;
    if (group === undefined) return { kind: 'unknown' };
    if (version === undefined) return { kind: 'group', group };
    if (tail.length === 0) return { kind: 'resourceList', group, version };
    return resourceRoute(group, version, tail);
  }
  return { kind: 'unknown' };
}

/**
 * `namespaces/<ns>/<plural>[/<name>[/<sub>]]` is namespaced; anything else (`<plural>[/<name>[/<sub>]]`,
 * including `namespaces/<name>/status`) is cluster-scoped addressing.
 */
function resourceRoute(group: string, version: string, tail: string[]): Route {
  const [first, second, third, fourth, fifth, ...extra] = tail;
  if (
    first === 'namespaces' &&
    second !== undefined &&
    third !== undefined &&
    !isNamespaceSubresource(third)
  ) {
    if (extra.length > 0) return { kind: 'unknown' };
    return {
      kind: 'resource',
      target: { group, version, namespace: second, plural: third, name: fourth, subresource: fifth },
    };
  }
  if (first === undefined || fourth !== undefined) return { kind: 'unknown' };
  return { kind: 'resource', target: { group, version, plural: first, name: second, subresource: third } };
}

function isNamespaceSubresource(segment: string): boolean {
  return segment === 'status' || segment === 'finalize';
}
