// Kustomization manifests as a fleet repository holds them, for tests that write one: flux-system's
// Kustomization of a path from the GitRepository flux-system, with the test's own lines.
export interface KustomizationYaml {
  /** spec.path, e.g. `./apps`. */
  path: string;
  /** kustomize.toolkit.fluxcd.io/v1 unless given (an older version, say). */
  apiVersion?: string;
  /** Lines under spec before sourceRef, indented two spaces (e.g. `validation: client`). */
  before?: string;
  /** Lines under spec after sourceRef, indented two spaces (e.g. `decryption:`). */
  after?: string;
  /** The GitRepository of flux-system it renders; flux-system unless given. */
  source?: string;
}

/** The manifest, ending in a newline, so that documents join with `---\n`. */
export function kustomizationYaml(name: string, o: KustomizationYaml): string {
  return `apiVersion: ${o.apiVersion ?? 'kustomize.toolkit.fluxcd.io/v1'}
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ${o.path}
  prune: true
${o.before ?? ''}  sourceRef:
    kind: GitRepository
    name: ${o.source ?? 'flux-system'}
${o.after ?? ''}`;
}
