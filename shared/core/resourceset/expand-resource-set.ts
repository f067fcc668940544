// Expands one ResourceSet as the operator reconciles it: providers selected, inputs combined, resources
// built per input set, then its owner labels and commonMetadata set on every generated object.
import { SluiceError } from '../errors.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import {
  type BuildContext,
  BuildError,
  buildResources,
  objectKey,
  RECONCILE_ANNOTATION,
} from './build-resources.ts';
import { combineInputs, type InputSource, staticProviderInputs } from './inputs.ts';
import { unsupportedProviderReason } from './provider-support.ts';
import { type InputProviderSpec, matchesSelector, type ResourceSetSpec } from './resource-set-spec.ts';
import { isMap } from './template-values.ts';

export const OWNER_NAME_LABEL = 'resourceset.fluxcd.controlplane.io/name';
export const OWNER_NAMESPACE_LABEL = 'resourceset.fluxcd.controlplane.io/namespace';
/** Annotations the operator resolves against the live cluster when it applies; Sluice ships them unresolved. */
const CLUSTER_READ_ANNOTATIONS = [
  'fluxcd.controlplane.io/copyFrom',
  'fluxcd.controlplane.io/convertKubeConfigFrom',
  'fluxcd.controlplane.io/checksumFrom',
];

export type Expansion = (
  | { kind: 'expanded'; objects: KubeObject[]; inputSets: number; differences: string[] }
  /** Not expanded: nothing generated, with the reason (a provider that is not Static). */
  | { kind: 'skipped'; verdict: 'unsupported'; reason: string }
) & {
  /** The providers it selected (so the caller can say which providers no ResourceSet reads). */
  selected?: readonly InputProviderSpec[];
};

export function expandResourceSet(
  rset: ResourceSetSpec,
  file: string,
  providers: readonly InputProviderSpec[],
  ctx: BuildContext,
): Expansion {
  const ref = `ResourceSet/${rset.namespace}/${rset.name}`;
  // spec.inputsFrom: by name, or by selector among the providers of its namespace; each provider once.
  const selected = new Map<string, InputProviderSpec>();
  const inNamespace = providers.filter((p) => p.namespace === rset.namespace);
  for (const [i, from] of rset.inputsFrom.entries()) {
    if ('name' in from) {
      const found = inNamespace.find((p) => p.name === from.name);
      if (!found) {
        // As the operator fails on a provider it cannot get: the last delivery stays, nothing is pruned.
        throw new SluiceError(
          'ReferenceNotFound',
          `${ref} (${file}): spec.inputsFrom[${i}]: ResourceSetInputProvider/${rset.namespace}/${from.name} is not in the same render output; Sluice reads providers from the Kustomization that renders the ResourceSet (declare it next to the ResourceSet)`,
          { object: ref, file, field: `spec.inputsFrom[${i}]` },
        );
      }
      selected.set(found.name, found);
    } else {
      for (const p of inNamespace) if (matchesSelector(p.labels, from.selector)) selected.set(p.name, p);
    }
  }
  for (const p of selected.values()) {
    const reason = unsupportedProviderReason(p.type);
    if (reason) {
      return {
        kind: 'skipped',
        verdict: 'unsupported',
        reason: `ResourceSetInputProvider/${p.namespace}/${p.name}: ${reason}`,
      };
    }
  }

  const self: InputSource = {
    kind: 'ResourceSet',
    name: rset.name,
    namespace: rset.namespace,
    inputs: rset.inputs,
  };
  const sources: InputSource[] = [...selected.values()].map((p) => ({
    kind: 'ResourceSetInputProvider',
    name: p.name,
    namespace: p.namespace,
    inputs: staticProviderInputs(p.name, p.defaultValues),
  }));
  const combined = combineInputs(self, sources, rset.strategy, ctx.limits.maxInputSets);
  if ('error' in combined) {
    throw new SluiceError(
      combined.limit ? 'LimitExceeded' : 'InvalidManifest',
      `${ref} (${file}): spec.inputStrategy: ${combined.error}`,
      { object: ref, file, field: 'spec.inputStrategy' },
    );
  }
  const differences = differencesOf(rset);
  // Providers that export nothing leave nothing to generate (the operator then prunes what it made).
  if (rset.inputsFrom.length > 0 && combined.sets.length === 0) {
    return { kind: 'expanded', objects: [], inputSets: 0, differences, selected: [...selected.values()] };
  }

  let objects: KubeObject[];
  try {
    if (rset.steps.length === 0) {
      objects = buildResources(rset.resources, rset.resourcesTemplate, combined.sets, 'spec.', ctx);
    } else {
      objects = buildSteps(rset, combined.sets, ctx, ref, file);
    }
  } catch (err) {
    if (err instanceof BuildError) throw buildFailed(err, ref, file);
    throw err;
  }
  for (const obj of objects) {
    setMetadata(obj, 'labels', { [OWNER_NAME_LABEL]: rset.name, [OWNER_NAMESPACE_LABEL]: rset.namespace });
    setMetadata(obj, 'labels', rset.commonMetadata.labels);
    setMetadata(obj, 'annotations', rset.commonMetadata.annotations);
  }
  const clusterReads = new Set<string>();
  for (const obj of objects)
    for (const a of CLUSTER_READ_ANNOTATIONS) if (hasAnnotationDeep(obj, a)) clusterReads.add(a);
  for (const a of clusterReads) {
    differences.push(
      `${a} is not resolved: Sluice cannot read the cluster at render time, the objects are applied as generated`,
    );
  }
  return {
    kind: 'expanded',
    objects,
    inputSets: combined.sets.length,
    differences,
    selected: [...selected.values()],
  };
}

/** Steps are built one after another; one object in two steps is an error, as the operator says it. */
function buildSteps(
  rset: ResourceSetSpec,
  sets: Parameters<typeof buildResources>[2],
  ctx: BuildContext,
  ref: string,
  file: string,
): KubeObject[] {
  const stepOf = new Map<string, string>();
  const all: KubeObject[] = [];
  for (const [i, step] of rset.steps.entries()) {
    const objects = buildResources(step.resources, step.resourcesTemplate, sets, `spec.steps[${i}].`, ctx);
    for (const obj of objects) {
      const key = objectKey(obj);
      const previous = stepOf.get(key);
      if (previous !== undefined && previous !== step.name) {
        throw new SluiceError(
          'InvalidManifest',
          `${ref} (${file}): spec.steps[${i}]: duplicate resource ${describe(obj)} in step "${step.name}", already defined in step "${previous}"`,
          { object: ref, file, field: `spec.steps[${i}]` },
        );
      }
      stepOf.set(key, step.name);
    }
    all.push(...objects);
  }
  return all;
}

/** What the operator does that Sluice does not: reported in status, and as `different` by `sluice check`. */
function differencesOf(rset: ResourceSetSpec): string[] {
  const out: string[] = [];
  // Skipping a paused ResourceSet would prune what it generated: Sluice keeps delivering it instead.
  if (String(rset.annotations[RECONCILE_ANNOTATION] ?? '').toLowerCase() === 'disabled') {
    out.push(
      `${RECONCILE_ANNOTATION}: disabled does not pause it here: its objects are still delivered (suspend the Kustomization that renders it to pause them)`,
    );
  }
  if (rset.dependsOn.length > 0) {
    const names = rset.dependsOn
      .map((d) => `${d.kind}/${d.namespace ? `${d.namespace}/` : ''}${d.name}`)
      .join(', ');
    out.push(
      `spec.dependsOn (${names}) is not waited for: the generated objects are applied with the rest of the render`,
    );
  }
  if (rset.serviceAccountName) {
    out.push(
      `spec.serviceAccountName ${rset.serviceAccountName} is not impersonated: the generated objects are applied with the identity of the Kustomization that renders the ResourceSet`,
    );
  }
  if (rset.wait)
    out.push(
      'spec.wait is not applied: health follows the rendering Kustomization (its wait and healthChecks)',
    );
  if (rset.steps.length > 0) {
    out.push(
      `spec.steps (${rset.steps.map((s) => s.name).join(', ')}) are applied together, not one after another`,
    );
  }
  return out;
}

function buildFailed(err: BuildError, ref: string, file: string): SluiceError {
  const t = err.template;
  const where = t.line > 0 ? ` line ${t.line}, column ${t.column}:` : '';
  const forSet = err.inputSet === undefined ? '' : ` (input set ${err.inputSet + 1})`;
  return new SluiceError(
    t.limit ? 'LimitExceeded' : 'BuildFailed',
    `${ref} (${file}): ${err.field}${forSet}:${where} ${t.message}`,
    { object: ref, file, field: err.field },
  );
}

function setMetadata(obj: KubeObject, key: 'labels' | 'annotations', values: Record<string, string>): void {
  if (Object.keys(values).length === 0) return;
  const meta = (isMap(obj.metadata) ? obj.metadata : {}) as Record<string, unknown>;
  const current = isMap(meta[key]) ? (meta[key] as Record<string, unknown>) : {};
  meta[key] = { ...current, ...values };
  obj.metadata = meta;
}

/** An annotation on any metadata in the object (pod templates included), as the operator looks for it. */
function hasAnnotationDeep(node: unknown, annotation: string, depth = 0): boolean {
  if (depth > 64) return false;
  if (Array.isArray(node)) return node.some((x) => hasAnnotationDeep(x, annotation, depth + 1));
  if (!isMap(node)) return false;
  const meta = node.metadata;
  if (isMap(meta) && isMap(meta.annotations) && annotation in meta.annotations) return true;
  return Object.values(node).some((x) => hasAnnotationDeep(x, annotation, depth + 1));
}

function describe(obj: KubeObject): string {
  const meta = (isMap(obj.metadata) ? obj.metadata : {}) as Record<string, unknown>;
  return `${String(obj.kind)}/${meta.namespace ? `${String(meta.namespace)}/` : ''}${String(meta.name)}`;
}
