// Flux Operator's ResourceSets in a Kustomization's rendered output, replaced by the objects they generate
// (which then flow through the pipeline like any other); their input providers are read, never shipped.
import { SluiceError } from '../errors.ts';
import { SOURCE_FILE_ANNOTATION, takeSourceFile } from '../render/source-file.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import type { BuildContext } from './build-resources.ts';
import { expandResourceSet } from './expand-resource-set.ts';
import { DEFAULT_RESOURCE_SET_LIMITS, type ResourceSetLimits } from './limits.ts';
import { type CheckVerdict, inputProviderVerdict } from './provider-support.ts';
import { newBudget } from './render-template.ts';
import { type InputProviderSpec, readInputProvider, readResourceSet } from './resource-set-spec.ts';
import { isMap } from './template-values.ts';

const GROUP = 'fluxcd.controlplane.io';
const FLUX_GROUP = /^[a-z0-9.-]+\.toolkit\.fluxcd\.io\//;

/** One ResourceSet or provider of the render, as `sluice check` reports it. */
export interface ResourceSetReport extends CheckVerdict {
  kind: 'ResourceSet' | 'ResourceSetInputProvider';
  namespace: string;
  name: string;
  file: string;
}

export interface ExpandResult {
  /** The render's objects with every ResourceSet replaced by what it generates and providers removed. */
  objects: KubeObject[];
  /** Status lines: what was expanded, what was skipped and why, what Sluice does differently. */
  warnings: string[];
  reports: ResourceSetReport[];
}

export function isResourceSetKind(obj: KubeObject): 'ResourceSet' | 'ResourceSetInputProvider' | undefined {
  const apiVersion = String(obj.apiVersion ?? '');
  if (!apiVersion.startsWith(`${GROUP}/`)) return undefined;
  return obj.kind === 'ResourceSet' || obj.kind === 'ResourceSetInputProvider' ? obj.kind : undefined;
}

/**
 * Expands the ResourceSets among `objects` (the output of `renderedBy`). `maxObjects` bounds the render's
 * objects after expansion (the render's maxObjectsPerRender); templates share one step and output budget.
 */
export function expandResourceSets(
  objects: readonly KubeObject[],
  renderedBy: string,
  maxObjects: number = Number.POSITIVE_INFINITY,
  limits: ResourceSetLimits = DEFAULT_RESOURCE_SET_LIMITS,
): ExpandResult {
  if (!objects.some((o) => isResourceSetKind(o))) return { objects: [...objects], warnings: [], reports: [] };
  const state: PassState = {
    renderedBy,
    maxObjects,
    ctx: { limits, budget: newBudget(limits), written: { length: 0 } },
    providers: [],
    used: new Set(),
    warnings: [],
    reports: [],
  };
  // A ResourceSet may generate ResourceSets (the operator reconciles those in turn): expand until none is
  // left, a bounded number of levels deep.
  let current: readonly KubeObject[] = objects;
  for (let level = 0; current.some((o) => isResourceSetKind(o)); level++) {
    if (level >= MAX_NESTED_LEVELS) {
      throw new SluiceError(
        'LimitExceeded',
        `${renderedBy}: ResourceSets generate ResourceSets more than ${MAX_NESTED_LEVELS} levels deep; flatten them`,
        { object: renderedBy },
      );
    }
    current = expandPass(current, state);
  }
  for (const p of state.providers) {
    const verdict = inputProviderVerdict(p.type);
    state.reports.push({
      kind: 'ResourceSetInputProvider',
      namespace: p.namespace,
      name: p.name,
      file: p.file,
      ...verdict,
    });
    if (verdict.verdict === 'unsupported')
      state.warnings.push(`ResourceSetInputProvider/${p.namespace}/${p.name}: ${verdict.reason}`);
    else if (!state.used.has(p)) {
      state.warnings.push(
        `ResourceSetInputProvider/${p.namespace}/${p.name}: no ResourceSet of this render reads it; it is not shipped (it only feeds ResourceSets)`,
      );
    }
  }
  return { objects: [...current], warnings: state.warnings, reports: state.reports };
}

const MAX_NESTED_LEVELS = 5;

interface PassState {
  renderedBy: string;
  maxObjects: number;
  ctx: BuildContext;
  /** Providers of every pass: one generated earlier may feed a ResourceSet generated later. */
  providers: (InputProviderSpec & { file: string })[];
  used: Set<InputProviderSpec>;
  warnings: string[];
  reports: ResourceSetReport[];
}

/** One level: every ResourceSet of `objects` replaced by what it generates, providers taken out. */
function expandPass(objects: readonly KubeObject[], state: PassState): KubeObject[] {
  const { renderedBy, maxObjects, ctx, providers, used, warnings, reports } = state;
  const fileOf = (obj: KubeObject, document: number) => {
    const { object, file } = takeSourceFile(obj);
    return { object, file: file ?? `output of ${renderedBy}, document ${document + 1}`, known: file };
  };

  // Providers first: a ResourceSet may select one declared after it.
  const firstNamespace = objects
    .filter((o) => isResourceSetKind(o) === 'ResourceSet')
    .map((o) => (isMap(o.metadata) ? String(o.metadata.namespace ?? '') : ''))
    .find((ns) => ns !== '');
  objects.forEach((obj, document) => {
    if (isResourceSetKind(obj) !== 'ResourceSetInputProvider') return;
    const { object, file } = fileOf(obj, document);
    checkVersion(object, file);
    providers.push({ ...readInputProvider(object, file, firstNamespace ?? ''), file });
  });

  const out: KubeObject[] = [];
  const count = () => {
    if (out.length > maxObjects) {
      throw new SluiceError(
        'LimitExceeded',
        `${renderedBy}: renders ${out.length} objects once its ResourceSets are expanded, more than the limit of ${maxObjects} per render (setting maxObjectsPerRender); split it into several Kustomizations, or raise the setting if this is intended`,
        { object: renderedBy },
      );
    }
  };
  objects.forEach((obj, document) => {
    const kind = isResourceSetKind(obj);
    if (kind === 'ResourceSetInputProvider') return;
    if (kind !== 'ResourceSet') {
      out.push(obj);
      count();
      return;
    }
    const { object, file, known } = fileOf(obj, document);
    checkVersion(object, file);
    const rset = readResourceSet(object, file);
    const ref = `ResourceSet/${rset.namespace}/${rset.name}`;
    const expansion = expandResourceSet(rset, file, providers, ctx);
    const report = { kind: 'ResourceSet' as const, namespace: rset.namespace, name: rset.name, file };
    for (const p of expansion.selected ?? []) used.add(p);
    if (expansion.kind === 'skipped') {
      warnings.push(`${ref}: not expanded: ${expansion.reason}`);
      reports.push({ ...report, verdict: expansion.verdict, reason: expansion.reason });
      return;
    }
    const sets = expansion.inputSets;
    warnings.push(
      `${ref}: generated ${plural(expansion.objects.length, 'object')} from ${plural(sets, 'input set')}`,
    );
    for (const d of expansion.differences) warnings.push(`${ref}: ${d}`);
    reports.push({
      ...report,
      verdict: expansion.differences.length > 0 ? 'different' : 'delivered',
      reason:
        expansion.differences.length > 0
          ? expansion.differences.join('; ')
          : `expanded into ${plural(expansion.objects.length, 'object')}`,
    });
    for (const generated of expansion.objects) {
      // A generated Flux object (or ResourceSet) names the ResourceSet's file in errors, as a declared one
      // names its own.
      const apiVersion = String(generated.apiVersion ?? '');
      if (known && (FLUX_GROUP.test(apiVersion) || isResourceSetKind(generated))) {
        const meta = (isMap(generated.metadata) ? generated.metadata : {}) as Record<string, unknown>;
        meta.annotations = {
          ...(isMap(meta.annotations) ? meta.annotations : {}),
          [SOURCE_FILE_ANNOTATION]: known,
        };
        generated.metadata = meta;
      }
      out.push(generated);
      count();
    }
  });
  return out;
}

function checkVersion(obj: KubeObject, file: string): void {
  if (obj.apiVersion === `${GROUP}/v1`) return;
  const meta = (isMap(obj.metadata) ? obj.metadata : {}) as Record<string, unknown>;
  const ref = `${String(obj.kind)}/${String(meta.namespace ?? '')}/${String(meta.name ?? '')}`;
  throw new SluiceError(
    'UnsupportedResource',
    `${ref} (${file}): apiVersion ${String(obj.apiVersion)} is not served by the Flux Operator; use ${GROUP}/v1`,
    { object: ref, file, field: 'apiVersion' },
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
