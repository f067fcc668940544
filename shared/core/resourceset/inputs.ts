// The input sets a ResourceSet's templates run with, combined as the operator combines them: each set
// tagged with its provider, then Flatten (concatenate) or Permute (Cartesian product, scoped by provider).
import { adler32Id } from './functions-encoding.ts';

export const RESOURCE_SET_API_VERSION = 'fluxcd.controlplane.io/v1';

export type InputSet = Record<string, unknown>;

/** The ResourceSet itself (inline inputs) or one ResourceSetInputProvider, with the sets it exports. */
export interface InputSource {
  kind: 'ResourceSet' | 'ResourceSetInputProvider';
  name: string;
  namespace: string;
  inputs: InputSet[];
}

export type CombineResult = { sets: InputSet[] } | { error: string; limit: boolean };

/**
 * A Static provider's one exported set: its defaultValues and an `id`. The operator hashes the object's UID;
 * a fleet checkout has no UID, so (as `flux-operator build resourceset` does) the name is hashed instead.
 */
export function staticProviderInputs(name: string, defaultValues: Record<string, unknown>): InputSet[] {
  return [{ ...defaultValues, id: adler32Id(name) }];
}

/**
 * The operator's Combine: the ResourceSet first, then providers sorted by namespace and name; every set
 * gets `provider` {apiVersion, kind, name, namespace}.
 */
export function combineInputs(
  resourceSet: InputSource,
  providers: readonly InputSource[],
  strategy: { name: 'Flatten' | 'Permute'; includeEmptyProviders: boolean },
  maxInputSets: number,
): CombineResult {
  const sorted = [...providers].sort((a, b) =>
    a.namespace !== b.namespace ? compare(a.namespace, b.namespace) : compare(a.name, b.name),
  );
  const sources = [resourceSet, ...sorted].map((source) => ({
    name: source.name,
    inputs: source.inputs.map((set) => ({
      ...set,
      provider: {
        apiVersion: RESOURCE_SET_API_VERSION,
        kind: source.kind,
        name: source.name,
        namespace: source.namespace,
      },
    })),
  }));
  if (strategy.name === 'Flatten') {
    const sets = sources.flatMap((s) => s.inputs);
    if (sets.length > maxInputSets) {
      return { error: `${sets.length} input sets are more than the limit of ${maxInputSets}`, limit: true };
    }
    return { sets };
  }
  return permute(sources, strategy.includeEmptyProviders, maxInputSets);
}

function permute(
  sources: { name: string; inputs: InputSet[] }[],
  includeEmptyProviders: boolean,
  maxInputSets: number,
): CombineResult {
  const scoped: { key: string; inputs: InputSet[] }[] = [];
  let expected = 0;
  for (const source of sources) {
    if (!includeEmptyProviders && source.inputs.length === 0) continue;
    expected = scoped.length === 0 ? source.inputs.length : expected * source.inputs.length;
    if (expected > maxInputSets) {
      return {
        error: `adding provider '${source.name}' with ${source.inputs.length} inputs would exceed the maximum allowed permutations. max: ${maxInputSets}, got: ${expected}`,
        limit: true,
      };
    }
    const key = normalizeKeyForTemplate(source.name);
    if (key === '') return { error: `normalized provider name is empty: '${source.name}'`, limit: false };
    scoped.push({ key, inputs: source.inputs });
  }
  if (scoped.length === 0 || scoped.some((s) => s.inputs.length === 0)) return { sets: [] };
  const sets: InputSet[] = [];
  const pick = new Array<number>(scoped.length).fill(0);
  // Odometer order: the first provider changes slowest, as the operator's backtracking produces it.
  for (;;) {
    const set: InputSet = {};
    const idParts: string[] = [];
    scoped.forEach((s, i) => {
      set[s.key] = s.inputs[pick[i] ?? 0];
      idParts.push(`${s.key}=${pick[i]}`);
    });
    set.id = adler32Id(idParts.join('/'));
    sets.push(set);
    let i = scoped.length - 1;
    while (i >= 0) {
      pick[i] = (pick[i] ?? 0) + 1;
      if ((pick[i] ?? 0) < (scoped[i]?.inputs.length ?? 0)) break;
      pick[i] = 0;
      i--;
    }
    if (i < 0) return { sets };
  }
}

/**
 * The operator's NormalizeKeyForTemplate: lower-case; spaces and punctuation become `_`; other characters
 * outside [a-z0-9] are dropped; runs of `_` collapse and the ends are trimmed.
 */
export function normalizeKeyForTemplate(name: string): string {
  const mapped = [...name]
    .map((c) => {
      const lower = c.toLowerCase();
      if (/\s/u.test(lower) || /\p{P}/u.test(lower)) return '_';
      return /[a-z0-9]/.test(lower) ? lower : '';
    })
    .join('');
  return mapped
    .split('_')
    .filter((w) => w !== '')
    .join('_');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
