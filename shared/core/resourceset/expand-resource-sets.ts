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
  const warnings: string[] = [];
  const reports: ResourceSetReport[] = [];
  const fileOf = (obj: KubeObject, document: number) => {
    const { object, file } = takeSourceFile(obj);
    return { object, file: file ?? `output of ${renderedBy}, document ${document + 1}`, known: file };
  };

  // Providers first: a ResourceSet may select one declared after it.
  const providers: (InputProviderSpec & { file: string })[] = [];
  const used = new Set<InputProviderSpec>();
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

  const ctx: BuildContext = { limits, budget: newBudget(limits), written: { length: 0 } };
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
      // A generated Flux object's errors name the ResourceSet's file, as a declared one names its own.
      if (known && FLUX_GROUP.test(String(generated.apiVersion ?? ''))) {
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

  for (const p of providers) {
    const verdict = inputProviderVerdict(p.type);
    reports.push({
      kind: 'ResourceSetInputProvider',
      namespace: p.namespace,
      name: p.name,
      file: p.file,
      ...verdict,
    });
    if (verdict.verdict === 'unsupported')
      warnings.push(`ResourceSetInputProvider/${p.namespace}/${p.name}: ${verdict.reason}`);
    else if (!used.has(p)) {
      warnings.push(
        `ResourceSetInputProvider/${p.namespace}/${p.name}: no ResourceSet of this render reads it; it is not shipped (it only feeds ResourceSets)`,
      );
    }
  }
  return { objects: out, warnings, reports };
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
