// Lenient and strict readers of an object's fields, with kstatus' typing: lenient ones fall back to a
// default on a missing or mistyped field, strict ones throw MalformedObject, which the caller turns into Unknown.
import type { KubeObject } from '../render/yaml-codec.ts';

/** A field whose type kstatus refuses (a string observedGeneration, a condition that is not a mapping). */
export class MalformedObject extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedObject';
  }
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/**
 * The value at a dotted path. A Date (what @kubernetes/client-node makes of a built-in kind's timestamps) reads
 * as its RFC 3339 text, the string an unstructured Go object holds.
 */
function at(obj: unknown, path: string): unknown {
  let value: unknown = obj;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value instanceof Date ? rfc3339(value) : value;
}

/** A timestamp as Kubernetes writes it (`2026-01-01T00:00:00Z`, no milliseconds). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An integer at `path`, else `fallback` (a float or string counts as absent, as in kstatus' GetIntField). */
export function intField(obj: KubeObject, path: string, fallback: number): number {
  const value = at(obj, path);
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

export function stringField(obj: KubeObject, path: string, fallback: string): string {
  const value = at(obj, path);
  return typeof value === 'string' ? value : fallback;
}

export function boolField(obj: KubeObject, path: string, fallback: boolean): boolean {
  const value = at(obj, path);
  return typeof value === 'boolean' ? value : fallback;
}

/** An integer at `path`, undefined when absent (or null); any other type is malformed. */
export function strictInt(obj: KubeObject, path: string): number | undefined {
  const value = at(obj, path);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new MalformedObject(`${path} accessor error: ${JSON.stringify(value)} is not an integer`);
}

/** A string at `path`, undefined when absent (or null); any other type is malformed. */
export function strictString(obj: KubeObject, path: string): string | undefined {
  const value = at(obj, path);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw new MalformedObject(`${path} accessor error: ${JSON.stringify(value)} is not a string`);
}

function text(cond: Record<string, unknown>, key: string, index: number): string {
  const value = cond[key];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  throw new MalformedObject(`status.conditions[${index}].${key}: expected a string`);
}

/** `status.conditions` as kstatus converts them: absent is none, a wrong shape is malformed. */
export function conditionsOf(obj: KubeObject): Condition[] {
  const status = obj.status;
  if (status === undefined || status === null) return [];
  if (typeof status !== 'object' || Array.isArray(status))
    throw new MalformedObject('status: expected a mapping');
  const list = (status as Record<string, unknown>).conditions;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new MalformedObject('status.conditions: expected a list');
  return list.map((cond, i) => {
    if (typeof cond !== 'object' || cond === null || Array.isArray(cond))
      throw new MalformedObject(`status.conditions[${i}]: expected a mapping`);
    const c = cond as Record<string, unknown>;
    return {
      type: text(c, 'type', i),
      status: text(c, 'status', i),
      reason: text(c, 'reason', i),
      message: text(c, 'message', i),
    };
  });
}

export function conditionWithStatus(
  conditions: Condition[],
  type: string,
  status: string,
): Condition | undefined {
  return conditions.find((c) => c.type === type && c.status === status);
}
