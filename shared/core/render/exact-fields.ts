// kustomize reads kustomizations and plugin configurations through Go's encoding/json, which matches field
// names case-insensitively (with Unicode folding: `ſ` is `s`, `K` is `k`) and resolves YAML merge keys.
// The guard reads exact names, so anything kustomize would read differently is refused before the build.
import { SluiceError } from '../errors.ts';

type Raw = Record<string, unknown>;

/** Go's EqualFold for the letters that matter here: the two non-ASCII runes that fold to ASCII ones. */
export function foldName(name: string): string {
  return name
    .replace(/\u017f/g, 's')
    .replace(/\u212a/g, 'k')
    .toLowerCase();
}

/** Refuses a key that is not `field` but that kustomize would read as `field`. */
export function assertExactFields(obj: Raw, fields: readonly string[], where: string): void {
  const byFold = new Map(fields.map((f) => [foldName(f), f]));
  for (const key of Object.keys(obj)) {
    const canonical = byFold.get(foldName(key));
    if (canonical !== undefined && canonical !== key) {
      throw new SluiceError(
        'BuildFailed',
        `${where}: ${JSON.stringify(key)}: field names are case-sensitive here; write ${JSON.stringify(canonical)} (kustomize would read it as that field, which Sluice checks by its exact name)`,
        { field: key },
      );
    }
  }
}

/** Refuses YAML merge keys anywhere in a document: kustomize would merge fields the guard never saw. */
export function assertNoMergeKeys(value: unknown, where: string, depth = 0): void {
  if (depth > 64 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) assertNoMergeKeys(item, where, depth + 1);
    return;
  }
  for (const [key, child] of Object.entries(value as Raw)) {
    if (key === '<<') {
      throw new SluiceError(
        'BuildFailed',
        `${where}: YAML merge keys (<<) are not supported in kustomizations and plugin configurations; write the fields out`,
        { field: '<<' },
      );
    }
    assertNoMergeKeys(child, where, depth + 1);
  }
}
