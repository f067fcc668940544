// postBuild variable substitution as Flux runs it (FLUX-RENDER §3): collect variables from substituteFrom
// and substitute, then per object evaluate `${…}` over its YAML text and re-type the result with YAML 1.1.
import type { ConfigData } from '../../api/config-data.ts';
import type { Kustomization } from '../../api/kustomization.ts';
import { objectRef } from '../../api/object-meta.ts';
import { evaluate, SubstitutionError } from '../envsubst/evaluate.ts';
import { SluiceError } from '../errors.ts';
import { type KubeObject, parseYaml11 } from './yaml-codec.ts';

export const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';
const VAR_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export type ConfigLookup = (
  kind: 'ConfigMap' | 'Secret',
  namespace: string,
  name: string,
) => ConfigData | undefined;

/** Variables in Flux's precedence: substituteFrom in order, then inline substitute; newlines removed. */
export function loadVariables(ks: Kustomization, lookup: ConfigLookup): Map<string, string> {
  const vars = new Map<string, string>();
  const ref = objectRef('Kustomization', ks.metadata);
  ks.spec.postBuild?.substituteFrom?.forEach((from, i) => {
    const found = lookup(from.kind, ks.metadata.namespace, from.name);
    if (!found) {
      if (from.optional) return;
      throw new SluiceError(
        'ReferenceNotFound',
        `${ref}: spec.postBuild.substituteFrom[${i}]: ${from.kind} '${ks.metadata.namespace}/${from.name}' not found; add it to the fleet or set optional: true`,
        { object: ref, field: `spec.postBuild.substituteFrom[${i}]` },
      );
    }
    for (const [key, value] of Object.entries(found.data)) vars.set(key, value.replaceAll('\n', ''));
  });
  for (const [key, value] of Object.entries(ks.spec.postBuild?.substitute ?? {})) {
    vars.set(key, value.replaceAll('\n', ''));
  }
  return vars;
}

export function isSubstitutionDisabled(
  meta: { labels?: unknown; annotations?: unknown } | undefined,
): boolean {
  const labels = (meta?.labels ?? {}) as Record<string, unknown>;
  const annotations = (meta?.annotations ?? {}) as Record<string, unknown>;
  return labels[SUBSTITUTE_KEY] === 'disabled' || annotations[SUBSTITUTE_KEY] === 'disabled';
}

export interface SubstituteOptions {
  strict: boolean;
  kustomizationRef: string;
}

/**
 * Substitutes one built object: `${…}` is evaluated over the object's YAML text and the result re-typed
 * with YAML 1.1, so `replicas: ${n}` becomes a number. Returns `obj` untouched when substitution is off.
 */
export function substituteObject(
  text: string,
  obj: KubeObject,
  vars: ReadonlyMap<string, string>,
  opts: SubstituteOptions,
): KubeObject {
  const meta = (obj.metadata ?? {}) as { name?: string; labels?: unknown; annotations?: unknown };
  if (vars.size === 0 || isSubstitutionDisabled(meta)) return obj;
  const fail = (reason: string, cause?: unknown): never => {
    throw new SluiceError(
      'SubstitutionFailed',
      `${opts.kustomizationRef}: var substitution failed for '${meta.name ?? ''}' (${String(obj.kind)}): ${reason}`,
      { object: opts.kustomizationRef, cause },
    );
  };
  for (const name of vars.keys()) {
    if (!VAR_NAME.test(name)) {
      fail(
        `'${name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'; rename the key in spec.postBuild.substitute or in the referenced ConfigMap/Secret`,
      );
    }
  }
  let substituted = '';
  try {
    substituted = evaluate(text, vars, { strict: opts.strict });
  } catch (err) {
    const hint =
      err instanceof SubstitutionError && err.unsetVariable !== undefined
        ? '; define it in spec.postBuild.substitute or substituteFrom, or give it a default like ${var:=default}'
        : '';
    fail(`envsubst error: variable substitution failed: ${(err as Error).message}${hint}`, err);
  }
  const parsed = parseYaml11(substituted);
  if ('error' in parsed)
    return fail(
      `the substituted YAML is invalid (${parsed.error}); check the values of the variables it uses`,
    );
  if (typeof parsed.value !== 'object' || parsed.value === null)
    return fail('the substituted object is empty');
  return parsed.value as KubeObject;
}
