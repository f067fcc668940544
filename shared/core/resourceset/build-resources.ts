// The operator's BuildResourceSet: each `resources[i]` (printed as YAML) and the `resourcesTemplate` run
// once per input set, parsed back into objects; excluded ones dropped, duplicates keep their first copy.
import { type KubeObject, parseYaml11 } from '../render/yaml-codec.ts';
import type { InputSet } from './inputs.ts';
import type { ResourceSetLimits } from './limits.ts';
import { type CompiledTemplate, compileTemplate, runTemplate } from './render-template.ts';
import { TemplateError } from './template-error.ts';
import type { Budget } from './template-evaluator.ts';
import { templateSource } from './template-source.ts';
import { isMap } from './template-values.ts';

/** A template failure with the field it came from and the input set it ran for. */
export class BuildError extends Error {
  readonly field: string;
  readonly inputSet: number | undefined;
  readonly template: TemplateError;

  constructor(field: string, inputSet: number | undefined, template: TemplateError) {
    super(template.message);
    this.field = field;
    this.inputSet = inputSet;
    this.template = template;
  }
}

export interface BuildContext {
  limits: ResourceSetLimits;
  budget: Budget;
  /** Characters written by all templates of this ResourceSet so far. */
  written: { length: number };
}

export const RECONCILE_ANNOTATION = 'fluxcd.controlplane.io/reconcile';

export function objectKey(obj: KubeObject): string {
  const apiVersion = String(obj.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const meta = (isMap(obj.metadata) ? obj.metadata : {}) as Record<string, unknown>;
  return [group, String(obj.kind ?? ''), String(meta.namespace ?? ''), String(meta.name ?? '')].join('/');
}

function isExcluded(obj: KubeObject): boolean {
  const meta = (isMap(obj.metadata) ? obj.metadata : {}) as Record<string, unknown>;
  const annotations = (isMap(meta.annotations) ? meta.annotations : {}) as Record<string, unknown>;
  return annotations[RECONCILE_ANNOTATION] === 'disabled';
}

export function buildResources(
  resources: readonly KubeObject[],
  resourcesTemplate: string,
  sets: readonly InputSet[],
  fieldPrefix: string,
  ctx: BuildContext,
): KubeObject[] {
  const objects: KubeObject[] = [];
  const keys = new Set<string>();
  const add = (obj: KubeObject, dedup: boolean) => {
    const key = objectKey(obj);
    if (dedup && keys.has(key)) return;
    keys.add(key);
    objects.push(obj);
    if (objects.length > ctx.limits.maxObjects) {
      throw new BuildError(
        fieldPrefix || 'spec',
        undefined,
        new TemplateError(
          `generates more than ${ctx.limits.maxObjects} objects`,
          { line: 0, column: 0 },
          true,
        ),
      );
    }
  };
  // Parsed once, run once per input set.
  const compiled = new Map<string, CompiledTemplate>();
  const run = (field: string, source: string, set: InputSet | null, index: number | undefined): string => {
    try {
      let template = compiled.get(field);
      if (!template) {
        template = compileTemplate(source, ctx.limits);
        compiled.set(field, template);
      }
      const text = runTemplate(template, set, ctx.budget);
      ctx.written.length += text.length;
      if (ctx.written.length > ctx.limits.maxTotalOutputLength) {
        throw new TemplateError(
          `its templates write more than ${ctx.limits.maxTotalOutputLength} characters in all`,
          { line: 0, column: 0 },
          true,
        );
      }
      return text;
    } catch (err) {
      if (err instanceof TemplateError) throw new BuildError(field, index, err);
      throw err;
    }
  };

  resources.forEach((template, i) => {
    const field = `${fieldPrefix}resources[${i}]`;
    // The operator prints the object as YAML (sigs.k8s.io/yaml) and runs that text as the template.
    const source = templateSource(template);
    if (sets.length === 0) {
      add(readObject(run(field, source, null, undefined), field, undefined), false);
      return;
    }
    sets.forEach((set, n) => {
      const obj = readObject(run(field, source, set, n), field, n);
      if (!isExcluded(obj)) add(obj, true);
    });
  });

  if (resourcesTemplate !== '') {
    const field = `${fieldPrefix}resourcesTemplate`;
    const fromTemplate =
      sets.length === 0
        ? readObjects(run(field, resourcesTemplate, null, undefined), field, undefined)
        : sets.flatMap((set, n) => readObjects(run(field, resourcesTemplate, set, n), field, n));
    for (const obj of fromTemplate) if (!isExcluded(obj)) add(obj, true);
  }
  return objects;
}

function parsed(text: string, field: string, index: number | undefined): unknown {
  const result = parseYaml11(text);
  if ('error' in result) {
    throw new BuildError(
      field,
      index,
      new TemplateError(`the generated YAML does not parse: ${result.error}`, { line: 0, column: 0 }),
    );
  }
  return result.value;
}

/** One object (`resources[i]`): it must be a Kubernetes object. */
function readObject(text: string, field: string, index: number | undefined): KubeObject {
  const value = parsed(text.split(/^---[ \t]*(?:#.*)?$/m).find((d) => d.trim() !== '') ?? '', field, index);
  if (!isMap(value) || !value.apiVersion || !value.kind || !isMap(value.metadata) || !value.metadata.name) {
    throw new BuildError(
      field,
      index,
      new TemplateError('the generated object has no apiVersion, kind or metadata.name', {
        line: 0,
        column: 0,
      }),
    );
  }
  return value;
}

/**
 * The documents of a multi-document template, read as Flux's ReadObjects reads them: documents that are no
 * Kubernetes object (no apiVersion, kind or name) and kustomize's own Kustomization are dropped; a List is
 * replaced by its items.
 */
function readObjects(text: string, field: string, index: number | undefined): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of text.split(/^---[ \t]*(?:#.*)?$/m)) {
    if (doc.trim() === '') continue;
    const value = parsed(doc, field, index);
    if (!isMap(value)) continue;
    if (Array.isArray(value.items) && String(value.kind ?? '').endsWith('List')) {
      for (const item of value.items) if (isMap(item)) out.push(item);
      continue;
    }
    const meta = isMap(value.metadata) ? value.metadata : {};
    const isObject = Boolean(value.apiVersion && value.kind && meta.name);
    const isKustomizeConfig =
      String(value.kind).toLowerCase() === 'kustomization' &&
      String(value.apiVersion).startsWith('kustomize.config.k8s.io/');
    if (isObject && !isKustomizeConfig) out.push(value);
  }
  return out;
}
