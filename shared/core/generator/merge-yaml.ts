// The Merge copy strategy: a YAML file merged onto the one already in the artifact as source-watcher merges
// them (Helm's --values rule: maps merge key by key, anything else, lists included, is replaced). Pure.
import { mergeValues as mergeMaps } from '../chart/merge-values.ts';
import { SluiceError } from '../errors.ts';
import { parseYaml11, splitDocuments, toYaml } from '../render/yaml-codec.ts';

type YamlMap = Record<string, unknown>;

/** `base` and `overlay` name the files in errors; every document of each is folded into one map first. */
export function mergeYaml(
  base: { text: string; name: string },
  overlay: { text: string; name: string },
): string {
  return toYaml(mergeMaps(readMap(base), readMap(overlay)));
}

function readMap(file: { text: string; name: string }): YamlMap {
  let out: YamlMap = {};
  for (const doc of splitDocuments(file.text)) {
    const parsed = parseYaml11(doc);
    if ('error' in parsed)
      throw new SluiceError(
        'ValidationFailed',
        `${file.name}: cannot be merged, it is not valid YAML (${parsed.error})`,
      );
    if (parsed.value === null || parsed.value === undefined) continue;
    if (!isMap(parsed.value))
      throw new SluiceError(
        'ValidationFailed',
        `${file.name}: cannot be merged, a document is not a YAML mapping`,
      );
    out = mergeMaps(out, parsed.value);
  }
  return out;
}

function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
