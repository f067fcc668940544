// YAML in and out the way Flux's pipeline types it: objects are read with YAML 1.1 rules (go-yaml v2 via
// sigs.k8s.io/yaml: yes/on/y are booleans) and written like sigs.k8s.io/yaml.Marshal (keys sorted).
import { Document, LineCounter, parseAllDocuments, parseDocument, type ToStringOptions } from 'yaml';

export type KubeObject = Record<string, unknown>;

// go-yaml v2 has no sexagesimal numbers and leaves timestamps as strings in YAMLToJSON.
export const yaml11Tags = (tags: unknown[]) =>
  tags.filter((t) => {
    const tag = t as { tag?: string; format?: string };
    return tag.format !== 'TIME' && tag.tag !== 'tag:yaml.org,2002:timestamp';
  }) as never;

const OUTPUT_OPTIONS: ToStringOptions = {
  indent: 2,
  indentSeq: false,
  lineWidth: 0,
  minContentWidth: 0,
  blockQuote: 'literal',
  defaultStringType: 'PLAIN',
  defaultKeyType: 'PLAIN',
};

/** Splits kustomize's multi-document output; kustomize writes `---` alone on a line between objects. */
export function splitDocuments(text: string): string[] {
  return text
    .split(/^---[ \t]*$/m)
    .map((doc) => doc.replace(/^\n/, ''))
    .filter((doc) => doc.trim() !== '');
}

/**
 * Parses one document with YAML 1.1 typing. Errors say where and what kind, never quote the text: after
 * substitution the text may hold secret values. With `firstDocument`, the text is read as go-yaml v2's
 * Unmarshal reads it (Helm's values files): only its first document, a repeated key keeping its last value.
 */
export function parseYaml11(
  text: string,
  opts: { firstDocument?: boolean } = {},
): { value: unknown } | { error: string } {
  const lines = new LineCounter();
  const options = {
    version: '1.1',
    schema: 'yaml-1.1',
    customTags: yaml11Tags,
    merge: true,
    lineCounter: lines,
  } as const;
  const doc = opts.firstDocument
    ? parseAllDocuments(text, { ...options, uniqueKeys: false })[0]
    : parseDocument(text, options);
  if (!doc) return { value: null };
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lines.linePos(error.pos[0]);
    return { error: `${error.code} at line ${line}, column ${col}` };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: 100 }) };
  } catch {
    return { error: 'an alias (*name) refers to an anchor that does not exist' };
  }
}

/** One object as sigs.k8s.io/yaml.Marshal prints it: every mapping's keys sorted, block style. */
export function toYaml(value: unknown): string {
  const doc = new Document(value, {
    version: '1.1',
    schema: 'yaml-1.1',
    customTags: yaml11Tags,
    sortMapEntries: true,
  });
  return doc.toString(OUTPUT_OPTIONS);
}

/** Flux's ObjectsToYAML: each object followed by `---`. */
export function objectsToYaml(objects: readonly unknown[]): string {
  return objects.map((o) => `${toYaml(o)}---\n`).join('');
}
