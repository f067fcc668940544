// Reads a ResourceSet and a ResourceSetInputProvider from rendered YAML into checked values, naming the
// object, its file and the field when the fleet gets one wrong (the CRDs' own validation rules).
import { SluiceError } from '../errors.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import { isMap } from './template-values.ts';

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: string; values: string[] }[];
}

export interface ResourceSetSpec {
  name: string;
  namespace: string;
  annotations: Record<string, string>;
  inputs: Record<string, unknown>[];
  inputsFrom: ({ name: string } | { selector: LabelSelector })[];
  strategy: { name: 'Flatten' | 'Permute'; includeEmptyProviders: boolean };
  resources: KubeObject[];
  resourcesTemplate: string;
  steps: { name: string; resources: KubeObject[]; resourcesTemplate: string }[];
  dependsOn: { apiVersion: string; kind: string; name: string; namespace?: string }[];
  serviceAccountName: string;
  commonMetadata: { labels: Record<string, string>; annotations: Record<string, string> };
  wait: boolean;
}

export interface InputProviderSpec {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  type: string;
  defaultValues: Record<string, unknown>;
}

type Fail = (field: string, message: string) => never;

function failer(ref: string, file: string): Fail {
  return (field, message) => {
    throw new SluiceError('InvalidManifest', `${ref} (${file}): ${field}: ${message}`, {
      object: ref,
      file,
      field,
    });
  };
}

function stringMap(v: unknown, field: string, fail: Fail): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isMap(v) || Object.values(v).some((x) => typeof x !== 'string'))
    fail(field, 'must be a map of strings');
  return v as Record<string, string>;
}

function objectList(v: unknown, field: string, fail: Fail): KubeObject[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(field, 'must be a list of objects');
  (v as unknown[]).forEach((x, i) => {
    if (!isMap(x)) fail(`${field}[${i}]`, 'must be an object');
  });
  return v as KubeObject[];
}

function optionalString(v: unknown, field: string, fail: Fail): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(field, 'must be a string');
  return v as string;
}

function selector(v: unknown, field: string, fail: Fail): LabelSelector {
  if (!isMap(v)) fail(field, 'must be a label selector (matchLabels, matchExpressions)');
  const s = v as Record<string, unknown>;
  const matchExpressions = (Array.isArray(s.matchExpressions) ? s.matchExpressions : []).map((e, i) => {
    const at = `${field}.matchExpressions[${i}]`;
    if (!isMap(e) || typeof e.key !== 'string') fail(at, 'needs a key');
    const expr = e as Record<string, unknown>;
    const operator = String(expr.operator ?? '');
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator)) {
      fail(
        `${at}.operator`,
        `"${operator}" is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)`,
      );
    }
    const values = Array.isArray(expr.values) ? expr.values.map(String) : [];
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      fail(`${at}.values`, `must be non-empty for operator ${operator}`);
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      fail(`${at}.values`, `must be empty for operator ${operator}`);
    }
    return { key: expr.key as string, operator, values };
  });
  return { matchLabels: stringMap(s.matchLabels, `${field}.matchLabels`, fail), matchExpressions };
}

export function readResourceSet(obj: KubeObject, file: string): ResourceSetSpec {
  const meta = (isMap(obj.metadata) ? obj.metadata : {}) as Record<string, unknown>;
  const name = String(meta.name ?? '');
  const namespace = String(meta.namespace ?? '');
  const ref = `ResourceSet/${namespace || '<no namespace>'}/${name}`;
  const fail = failer(ref, file);
  if (!name) fail('metadata.name', 'is required');
  if (!namespace)
    fail('metadata.namespace', 'is required (set it, or a targetNamespace on the Kustomization)');
  const spec = (isMap(obj.spec) ? obj.spec : {}) as Record<string, unknown>;

  const inputs = spec.inputs ?? [];
  if (!Array.isArray(inputs)) fail('spec.inputs', 'must be a list of maps');
  (inputs as unknown[]).forEach((x, i) => {
    if (!isMap(x)) fail(`spec.inputs[${i}]`, 'must be a map of input names to values');
  });

  const inputsFrom = (
    Array.isArray(spec.inputsFrom) ? spec.inputsFrom : spec.inputsFrom ? [spec.inputsFrom] : []
  ).map((ref, i) => {
    const at = `spec.inputsFrom[${i}]`;
    if (!isMap(ref)) return fail(at, 'must be an object with name or selector');
    if (ref.apiVersion !== undefined && ref.apiVersion !== 'fluxcd.controlplane.io/v1') {
      fail(`${at}.apiVersion`, `must be fluxcd.controlplane.io/v1, not ${JSON.stringify(ref.apiVersion)}`);
    }
    if (ref.kind !== undefined && ref.kind !== 'ResourceSetInputProvider') {
      fail(`${at}.kind`, `must be ResourceSetInputProvider, not ${JSON.stringify(ref.kind)}`);
    }
    const hasName = typeof ref.name === 'string' && ref.name !== '';
    if (hasName && ref.selector !== undefined) fail(at, 'cannot set both name and selector');
    if (hasName) return { name: ref.name as string };
    if (ref.selector !== undefined) return { selector: selector(ref.selector, `${at}.selector`, fail) };
    return fail(at, 'input provider reference must have either name or selector set');
  });

  const strategySpec = (isMap(spec.inputStrategy) ? spec.inputStrategy : {}) as Record<string, unknown>;
  const strategyName = strategySpec.name ?? 'Flatten';
  if (strategyName !== 'Flatten' && strategyName !== 'Permute') {
    fail('spec.inputStrategy.name', `unknown input strategy: '${String(strategyName)}' (Flatten or Permute)`);
  }
  const includeEmptyProviders = strategySpec.includeEmptyProviders === true;
  if (includeEmptyProviders && strategyName !== 'Permute') {
    fail('spec.inputStrategy.includeEmptyProviders', 'only applies when name is Permute');
  }

  const resources = objectList(spec.resources, 'spec.resources', fail);
  const resourcesTemplate = optionalString(spec.resourcesTemplate, 'spec.resourcesTemplate', fail);
  const steps = objectList(spec.steps, 'spec.steps', fail).map((step, i) => {
    const at = `spec.steps[${i}]`;
    const stepName = optionalString(step.name, `${at}.name`, fail);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(stepName) || stepName.length > 63) {
      fail(`${at}.name`, 'must be a DNS label (lower-case letters, digits and dashes, at most 63)');
    }
    const stepResources = objectList(step.resources, `${at}.resources`, fail);
    const stepTemplate = optionalString(step.resourcesTemplate, `${at}.resourcesTemplate`, fail);
    if (stepResources.length === 0 && stepTemplate === '') {
      fail(at, `step "${stepName}": at least one of resources or resourcesTemplate must be set`);
    }
    return { name: stepName, resources: stepResources, resourcesTemplate: stepTemplate };
  });
  if (steps.length > 0 && (resources.length > 0 || resourcesTemplate !== '')) {
    fail('spec.steps', 'spec.steps is mutually exclusive with spec.resources and spec.resourcesTemplate');
  }
  if (new Set(steps.map((s) => s.name)).size !== steps.length)
    fail('spec.steps', 'step names must be unique');
  if (steps.length === 0 && resources.length === 0 && resourcesTemplate === '') {
    fail('spec', 'at least one of steps, resources or resourcesTemplate must be set');
  }

  const commonMetadata = (isMap(spec.commonMetadata) ? spec.commonMetadata : {}) as Record<string, unknown>;
  return {
    name,
    namespace,
    annotations: stringMap(meta.annotations, 'metadata.annotations', fail),
    inputs: inputs as Record<string, unknown>[],
    inputsFrom,
    strategy: { name: strategyName as 'Flatten' | 'Permute', includeEmptyProviders },
    resources,
    resourcesTemplate,
    steps,
    dependsOn: objectList(spec.dependsOn, 'spec.dependsOn', fail).map((d) => ({
      apiVersion: String(d.apiVersion ?? ''),
      kind: String(d.kind ?? ''),
      name: String(d.name ?? ''),
      ...(typeof d.namespace === 'string' && { namespace: d.namespace }),
    })),
    serviceAccountName: optionalString(spec.serviceAccountName, 'spec.serviceAccountName', fail),
    commonMetadata: {
      labels: stringMap(commonMetadata.labels, 'spec.commonMetadata.labels', fail),
      annotations: stringMap(commonMetadata.annotations, 'spec.commonMetadata.annotations', fail),
    },
    wait: spec.wait === true,
  };
}

/** A provider without a namespace belongs to the ResourceSet's, as `flux-operator build` reads it. */
export function readInputProvider(
  obj: KubeObject,
  file: string,
  defaultNamespace: string,
): InputProviderSpec {
  const meta = (isMap(obj.metadata) ? obj.metadata : {}) as Record<string, unknown>;
  const name = String(meta.name ?? '');
  const namespace = String(meta.namespace ?? defaultNamespace);
  const ref = `ResourceSetInputProvider/${namespace}/${name}`;
  const fail = failer(ref, file);
  if (!name) fail('metadata.name', 'is required');
  const spec = (isMap(obj.spec) ? obj.spec : {}) as Record<string, unknown>;
  if (typeof spec.type !== 'string' || spec.type === '')
    fail('spec.type', 'is required (Static for inputs kept in Git)');
  const defaults = spec.defaultValues ?? {};
  if (!isMap(defaults)) fail('spec.defaultValues', 'must be a map of input names to values');
  return {
    name,
    namespace,
    labels: stringMap(meta.labels, 'metadata.labels', fail),
    type: spec.type as string,
    defaultValues: defaults as Record<string, unknown>,
  };
}

export function matchesSelector(labels: Record<string, string>, s: LabelSelector): boolean {
  for (const [k, v] of Object.entries(s.matchLabels)) if (labels[k] !== v) return false;
  for (const e of s.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && e.values.includes(value as string))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(value as string)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
