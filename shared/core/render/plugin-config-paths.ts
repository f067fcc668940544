// The file-bearing fields of kustomize's built-in plugin configurations (what `generators`,
// `transformers` and `validators` entries hold), so the guard can check them like kustomization fields.
import { parseAllDocuments } from 'yaml';
import { SluiceError } from '../errors.ts';
import { assertExactFields, assertNoMergeKeys, foldName } from './exact-fields.ts';

type Raw = Record<string, unknown>;

/** One path a plugin configuration makes kustomize read, with the field that holds it. */
export interface PluginPathRef {
  field: string;
  path: string;
}

/**
 * Kinds that kustomize would only run with Helm enabled; Flux never enables it, and the chart home,
 * values files and repo URLs they name would let a commit read the host or reach the network.
 */
const REFUSED_KINDS = new Set(['HelmChartInflationGenerator']);

/** Every path field of a built-in plugin config (`apiVersion: builtin` or any group; kind decides). */
const KINDS = [
  'ConfigMapGenerator',
  'SecretGenerator',
  'PatchTransformer',
  'PatchJson6902Transformer',
  'PatchStrategicMergeTransformer',
  'ReplacementTransformer',
  'HelmChartInflationGenerator',
];
const KIND_BY_FOLD = new Map(KINDS.map((k) => [foldName(k), k]));
const PATH_FIELDS = ['files', 'envs', 'env', 'path', 'paths', 'replacements'];

export function pluginConfigPaths(config: Raw, where: string): PluginPathRef[] {
  // Any spelling kustomize could take for a built-in kind is checked as that kind.
  const written = typeof config.kind === 'string' ? config.kind : '';
  const kind = KIND_BY_FOLD.get(foldName(written)) ?? written;
  assertNoMergeKeys(config, where);
  assertExactFields(config, PATH_FIELDS, where);
  if (REFUSED_KINDS.has(kind)) {
    throw new SluiceError(
      'BuildFailed',
      `${where}: ${kind}: Helm chart inflation in kustomize is disabled, as in Flux; use a HelmRelease instead`,
      { field: where },
    );
  }
  const refs: PluginPathRef[] = [];
  const add = (field: string, value: unknown): void => {
    if (typeof value === 'string' && value !== '') refs.push({ field, path: value });
  };
  const addList = (field: string, value: unknown, keyed = false): void => {
    if (!Array.isArray(value)) return;
    value.forEach((entry, i) => {
      if (typeof entry !== 'string') return;
      // `files` entries may be `key=path`; only the path part is read.
      const path = keyed && entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
      add(`${field}[${i}]`, path);
    });
  };
  switch (kind) {
    case 'ConfigMapGenerator':
    case 'SecretGenerator':
      addList('files', config.files, true);
      addList('envs', config.envs);
      add('env', config.env);
      break;
    case 'PatchTransformer':
    case 'PatchJson6902Transformer':
      add('path', config.path);
      break;
    case 'PatchStrategicMergeTransformer':
      // Entries are file paths or inline patches; only single-line entries can be paths.
      if (Array.isArray(config.paths))
        config.paths.forEach((p, i) => {
          if (typeof p === 'string' && !p.includes('\n')) add(`paths[${i}]`, p);
        });
      break;
    case 'ReplacementTransformer':
      if (Array.isArray(config.replacements))
        config.replacements.forEach((r, i) => {
          if (!r || typeof r !== 'object') return;
          assertExactFields(r as Raw, ['path'], `${where}: replacements[${i}]`);
          add(`replacements[${i}].path`, (r as Raw).path);
        });
      break;
    default:
      break;
  }
  return refs;
}

/** The plugin configs in a file or an inline entry (multi-document YAML); non-mappings are skipped. */
export function parsePluginConfigs(text: string, where: string): Raw[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const configs: Raw[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      throw new SluiceError(
        'BuildFailed',
        `${where}: invalid YAML: ${doc.errors[0]?.message.split('\n')[0]}`,
        {
          file: where,
        },
      );
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) configs.push(value as Raw);
  }
  return configs;
}

/**
 * kustomize tries every `generators`/`transformers`/`validators` entry as inline YAML first and only
 * then as a path, so an entry that parses to a mapping is an inline configuration even on one line.
 */
export function inlinePluginConfigs(entry: string): Raw[] | undefined {
  try {
    const docs = parseAllDocuments(entry);
    const list = Array.isArray(docs) ? docs : [docs];
    if (list.some((d) => d.errors.length > 0)) return undefined;
    const configs = list
      .map((d) => d.toJS({ maxAliasCount: 100 }) as unknown)
      .filter((v): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v));
    return configs.length > 0 ? configs : undefined;
  } catch {
    return undefined;
  }
}
