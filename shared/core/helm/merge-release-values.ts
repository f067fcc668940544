// A HelmRelease's values as helm-controller composes them (fluxcd/pkg chartutil.ChartValuesFromReferences):
// each valuesFrom in order, spec.values last, maps merged deeply by chartutil.MergeMaps.
import type { ValuesReference } from '../../api/helm-release.ts';
import { objectRef, type SourceLocation } from '../../api/object-meta.ts';
import { mergeValues, type Values } from '../chart/merge-values.ts';
import { SluiceError } from '../errors.ts';
import type { ConfigLookup } from '../render/substitute.ts';
import { parseYaml11 } from '../render/yaml-codec.ts';
import { setPath } from './set-path.ts';
import { StrvalsError } from './strvals.ts';

export interface ValuesInput {
  metadata: { name: string; namespace: string };
  spec: { values?: Record<string, unknown> | undefined; valuesFrom: readonly ValuesReference[] };
  source?: SourceLocation;
}

/**
 * The merged values of `hr`, its ConfigMaps and Secrets found through `lookup` (in the HelmRelease's
 * namespace). A missing reference that is not optional is ReferenceNotFound; a key that is not a YAML map
 * (without targetPath), or a targetPath line Helm's `--set` parser refuses, is ValidationFailed.
 *
 * Flux's quirk is kept on purpose: a targetPath write lands in the maps it shares with spec.values, so a
 * targetPath below the top level wins over spec.values (Flux's test "target path precedence over all").
 */
export function mergeReleaseValues(hr: ValuesInput, lookup: ConfigLookup): Values {
  const ref = objectRef('HelmRelease', hr.metadata);
  const namespace = hr.metadata.namespace;
  // Flux decodes spec.values afresh on every reconcile; the clone keeps the decoded object unchanged.
  const values: Values = hr.spec.values ? structuredClone(hr.spec.values) : {};
  let result: Values = {};
  hr.spec.valuesFrom.forEach((from, i) => {
    const field = `spec.valuesFrom[${i}]`;
    const what = `${from.kind} '${namespace}/${from.name}'`;
    const fail = (code: 'ReferenceNotFound' | 'ValidationFailed', message: string) =>
      new SluiceError(code, `${ref}: ${field}: ${message}`, {
        object: ref,
        field,
        ...(hr.source && { file: hr.source.file }),
      });
    const found = lookup(from.kind, namespace, from.name);
    if (!found) {
      if (from.optional) return;
      throw fail(
        'ReferenceNotFound',
        `${what} not found; add it to the fleet in namespace ${namespace} (valuesFrom reads only the HelmRelease's namespace) or set optional: true`,
      );
    }
    if (!Object.hasOwn(found.data, from.valuesKey)) {
      if (from.optional) return;
      const keys = Object.keys(found.data).sort();
      throw fail(
        'ReferenceNotFound',
        `${what} has no key '${from.valuesKey}' (${keys.length > 0 ? `its keys: ${keys.join(', ')}` : 'it has no keys'}); add the key, point valuesKey at the key that holds the values, or set optional: true`,
      );
    }
    const data = found.data[from.valuesKey] as string;
    if (from.targetPath) {
      result = mergeValues(result, values);
      try {
        setPath(result, from.targetPath, data, from.literal ?? false);
      } catch (err) {
        if (!(err instanceof StrvalsError)) throw err;
        throw fail(
          'ValidationFailed',
          `key '${from.valuesKey}' of ${what} cannot be set at targetPath '${from.targetPath}' with Helm's --set rules: ${err.message}; escape commas as "\\," or set literal: true to take the value verbatim`,
        );
      }
      return;
    }
    const read = readValues(data);
    if (typeof read === 'string') {
      throw fail(
        'ValidationFailed',
        `key '${from.valuesKey}' of ${what} ${read}; make it a YAML map such as "replicaCount: 2", or set targetPath to put the value at one path`,
      );
    }
    result = mergeValues(result, read);
  });
  return mergeValues(result, values);
}

/**
 * Helm's chartutil.ReadValues (sigs.k8s.io/yaml over go-yaml v2: the first document, YAML 1.1, a repeated key's
 * last value): a map, or {} for an empty or null document; otherwise why not, without quoting the text (it may
 * come from a Secret).
 */
function readValues(text: string): Values | string {
  const parsed = parseYaml11(text, { firstDocument: true });
  if ('error' in parsed) return `is not valid YAML (${parsed.error})`;
  const value = parsed.value;
  if (value === null || value === undefined) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Values;
  return `is not a YAML map of values (it holds ${Array.isArray(value) ? 'a list' : `a ${typeof value}`})`;
}
