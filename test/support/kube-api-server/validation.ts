// Write validation with the real API server's error shapes: decode errors (400) for mistyped maps, and
// field errors (422 Invalid) for names, labels, workload selectors and immutable fields.

import { deepEqual, isMap, type JsonMap } from './json.ts';
import type { ResourceType } from './resources.ts';
import { ApiError, type FieldError, invalid } from './status.ts';
import type { KubeObject } from './types.ts';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const DNS_LABEL = new RegExp(`^${LABEL}$`);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const show = (value: unknown) => JSON.stringify(value ?? null);

function nameErrors(type: ResourceType, name: string): FieldError[] {
  const invalidName = (detail: string): FieldError[] => [
    { field: 'metadata.name', reason: 'FieldValueInvalid', detail: `Invalid value: "${name}": ${detail}` },
  ];
  if (type.nameRule === 'path') {
    if (name === '.' || name === '..') return invalidName(`may not be '${name}'`);
    if (/[/%]/.test(name)) return invalidName(`may not contain '/' or '%'`);
    return [];
  }
  if (type.nameRule === 'label' && (name.length > 63 || !DNS_LABEL.test(name))) {
    return invalidName(
      `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
  }
  if (type.nameRule === 'subdomain' && (name.length > 253 || !SUBDOMAIN.test(name))) {
    return invalidName(
      `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  }
  return [];
}

/** 400 like the real decoder when a map that must hold strings holds something else. */
function requireStringMap(type: ResourceType, value: unknown, field: string, goField: string): void {
  if (value === undefined || value === null) return;
  const cannot = (got: string) =>
    new ApiError(
      400,
      `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal ${got} into Go struct field ${goField} of type ${field.endsWith('s') ? 'map[string]string' : 'string'}`,
      'BadRequest',
    );
  if (!isMap(value)) throw cannot(Array.isArray(value) ? 'array' : typeof value);
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw cannot(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  }
}

function labelErrors(labels: Record<string, string> | undefined): FieldError[] {
  return Object.entries(labels ?? {})
    .filter(([, v]) => v.length > 63 || !LABEL_VALUE.test(v))
    .map(([, v]) => ({
      field: 'metadata.labels',
      reason: 'FieldValueInvalid',
      detail: `Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    }));
}

const immutable = (field: string, value: unknown): FieldError => ({
  field,
  reason: 'FieldValueInvalid',
  detail: `Invalid value: ${show(value)}: field is immutable`,
});

function specOf(obj: KubeObject | undefined): JsonMap {
  return obj && isMap(obj.spec) ? obj.spec : {};
}

function workloadErrors(obj: KubeObject, live: KubeObject | undefined): FieldError[] {
  const spec = specOf(obj);
  const errors: FieldError[] = [];
  const selector = isMap(spec.selector) ? spec.selector : undefined;
  if (!selector)
    errors.push({ field: 'spec.selector', reason: 'FieldValueRequired', detail: 'Required value' });
  const template = isMap(spec.template) ? spec.template : {};
  const templateLabels =
    isMap(template.metadata) && isMap(template.metadata.labels) ? template.metadata.labels : {};
  const matchLabels = selector && isMap(selector.matchLabels) ? selector.matchLabels : {};
  if (selector && Object.entries(matchLabels).some(([k, v]) => templateLabels[k] !== v)) {
    errors.push({
      field: 'spec.template.metadata.labels',
      reason: 'FieldValueInvalid',
      detail: `Invalid value: ${show(templateLabels)}: \`selector\` does not match template \`labels\``,
    });
  }
  if (live && !deepEqual(specOf(live).selector, spec.selector))
    errors.push(immutable('spec.selector', spec.selector));
  if (live && obj.kind === 'StatefulSet') {
    const mutable = [
      'replicas',
      'ordinals',
      'template',
      'updateStrategy',
      'persistentVolumeClaimRetentionPolicy',
    ];
    const strip = (s: JsonMap) =>
      Object.fromEntries(
        Object.entries(s).filter(
          ([k]) => ![...mutable, 'minReadySeconds', 'revisionHistoryLimit'].includes(k),
        ),
      );
    if (!deepEqual(strip(specOf(live)), strip(spec))) {
      errors.push({
        field: 'spec',
        reason: 'FieldValueForbidden',
        detail: `Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden`,
      });
    }
  }
  return errors;
}

function jobErrors(obj: KubeObject, live: KubeObject | undefined): FieldError[] {
  if (!live) return [];
  const errors: FieldError[] = [];
  for (const field of ['selector', 'template'] as const) {
    if (!deepEqual(specOf(live)[field], specOf(obj)[field]))
      errors.push(immutable(`spec.${field}`, specOf(obj)[field]));
  }
  return errors;
}

function immutableDataErrors(obj: KubeObject, live: KubeObject | undefined): FieldError[] {
  if (live?.immutable !== true) return [];
  const forbidden = (field: string): FieldError => ({
    field,
    reason: 'FieldValueForbidden',
    detail: 'Forbidden: field is immutable when `immutable` is set',
  });
  const errors: FieldError[] = [];
  if (obj.immutable !== true) errors.push(forbidden('immutable'));
  for (const field of ['data', 'binaryData', 'stringData']) {
    if (!deepEqual(live[field], obj[field])) errors.push(forbidden(field));
  }
  return errors;
}

function serviceErrors(obj: KubeObject, live: KubeObject | undefined): FieldError[] {
  const before = specOf(live).clusterIP;
  const after = specOf(obj).clusterIP;
  if (typeof before === 'string' && before !== '' && before !== after)
    return [immutable('spec.clusterIP', after)];
  return [];
}

function roleRefErrors(obj: KubeObject, live: KubeObject | undefined): FieldError[] {
  if (!obj.roleRef) return [{ field: 'roleRef', reason: 'FieldValueRequired', detail: 'Required value' }];
  if (live && !deepEqual(live.roleRef, obj.roleRef)) {
    return [
      {
        field: 'roleRef',
        reason: 'FieldValueInvalid',
        detail: `Invalid value: ${show(obj.roleRef)}: cannot change roleRef`,
      },
    ];
  }
  return [];
}

function crdErrors(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const names = isMap(spec.names) ? spec.names : {};
  const errors: FieldError[] = [];
  const expected = `${String(names.plural ?? '')}.${String(spec.group ?? '')}`;
  if (obj.metadata.name !== expected) {
    errors.push({
      field: 'metadata.name',
      reason: 'FieldValueInvalid',
      detail: `Invalid value: "${obj.metadata.name}": must be spec.names.plural+"."+spec.group`,
    });
  }
  for (const field of ['plural', 'kind'] as const) {
    if (typeof names[field] !== 'string' || names[field] === '') {
      errors.push({ field: `spec.names.${field}`, reason: 'FieldValueRequired', detail: 'Required value' });
    }
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errors.push({
      field: 'spec.scope',
      reason: 'FieldValueNotSupported',
      detail: `Unsupported value: ${show(spec.scope)}: supported values: "Cluster", "Namespaced"`,
    });
  }
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isMap) : [];
  if (versions.filter((v) => v.storage === true).length !== 1) {
    errors.push({
      field: 'spec.versions',
      reason: 'FieldValueInvalid',
      detail: `Invalid value: ${show(versions.map((v) => v.name))}: must have exactly one version marked as storage version`,
    });
  }
  return errors;
}

/** Throws the ApiError the real server would return for `obj` (replacing `live`, if any). */
export function validate(type: ResourceType, obj: KubeObject, live: KubeObject | undefined): void {
  requireStringMap(type, obj.metadata.labels, 'labels', 'ObjectMeta.metadata.labels');
  requireStringMap(type, obj.metadata.annotations, 'annotations', 'ObjectMeta.metadata.annotations');
  if (!type.crd && type.kind === 'ConfigMap') requireStringMap(type, obj.data, 'data', `${type.kind}.data`);
  if (!type.crd && type.kind === 'Secret' && isMap(obj.data)) {
    for (const value of Object.values(obj.data)) {
      if (
        typeof value !== 'string' ||
        Buffer.from(value, 'base64').toString('base64') !== value.replace(/\s/g, '')
      ) {
        throw new ApiError(
          400,
          `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0`,
          'BadRequest',
        );
      }
    }
  }
  const name = obj.metadata.name ?? '';
  const errors: FieldError[] = name
    ? nameErrors(type, name)
    : [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          detail: 'Required value: name or generateName is required',
        },
      ];
  errors.push(...labelErrors(obj.metadata.labels));
  if (!type.crd) {
    switch (`${type.group}/${type.kind}`) {
      case 'apps/Deployment':
      case 'apps/StatefulSet':
        errors.push(...workloadErrors(obj, live));
        break;
      case 'batch/Job':
        errors.push(...jobErrors(obj, live));
        break;
      case '/ConfigMap':
      case '/Secret':
        errors.push(...immutableDataErrors(obj, live));
        break;
      case '/Service':
        errors.push(...serviceErrors(obj, live));
        break;
      case 'rbac.authorization.k8s.io/RoleBinding':
      case 'rbac.authorization.k8s.io/ClusterRoleBinding':
        errors.push(...roleRefErrors(obj, live));
        break;
      case 'apiextensions.k8s.io/CustomResourceDefinition':
        errors.push(...crdErrors(obj));
        break;
    }
  }
  if (errors.length > 0) throw invalid(type, name, errors);
}
