// Identity shared by every fleet object: kind, namespace, name, and where it was read from,
// so any later error can point at the file and the object.

export interface SourceLocation {
  /** Path of the file relative to the repository root, e.g. `clusters/dev/apps.yaml`. */
  file: string;
  /** 0-based index of the YAML document inside the file. */
  document: number;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Flux's default namespace for objects that do not name one. */
export const DEFAULT_NAMESPACE = 'flux-system';

export function objectRef(kind: string, meta: { name: string; namespace?: string | undefined }): string {
  return meta.namespace ? `${kind}/${meta.namespace}/${meta.name}` : `${kind}/${meta.name}`;
}

export function describeLocation(loc: SourceLocation): string {
  return loc.document > 0 ? `${loc.file} (document ${loc.document + 1})` : loc.file;
}
