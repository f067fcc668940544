// How a control-plane record is stored: JSON carrying `schemaVersion`. Every read is checked against its
// schema; a record of the earlier layout (no version) is migrated, an unknown version is a typed error.
import { SluiceError } from '../errors.ts';

/** The version every record is written with. Records written before versions existed read as 0. */
export const SCHEMA_VERSION = 1;

export interface RecordSchema<T> {
  /** What the record is, for messages: `index entry`, `render status`. */
  name: string;
  /** A version-0 record (written before schemaVersion) made current; absent: version 0 reads as it is. */
  migrate?(value: Record<string, unknown>): Record<string, unknown>;
  /** The first thing wrong with a current record's shape, or undefined when it is one. */
  problem(value: Record<string, unknown>): string | undefined;
  /** Only the declared type: the check above is what makes this cast sound. */
  readonly _type?: T;
}

export function encodeRecord<T extends object>(value: T): string {
  return `${JSON.stringify({ ...value, schemaVersion: SCHEMA_VERSION }, null, 2)}\n`;
}

/**
 * The record at `key`, checked; throws ConfigInvalid naming the key and what to do. `fromKey`: fields the
 * key itself determines (a target), which replace whatever the content claims.
 */
export function decodeRecord<T>(
  schema: RecordSchema<T>,
  key: string,
  text: string,
  fromKey: Record<string, unknown> = {},
): T {
  const invalid = (why: string) =>
    new SluiceError(
      'ConfigInvalid',
      `state record ${key} (${schema.name}) ${why}; embedded: stop Sluice and delete .sluice/queue-store, cloud: push a commit to re-render`,
      { field: key },
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid('is not an object');
  const { schemaVersion = 0, ...value } = parsed as Record<string, unknown>;
  if (schemaVersion !== 0 && schemaVersion !== SCHEMA_VERSION) {
    throw invalid(
      `has schemaVersion ${JSON.stringify(schemaVersion)}, which this version of Sluice does not know (it writes ${SCHEMA_VERSION}): it was written by a newer Sluice; upgrade, or`,
    );
  }
  const current = { ...(schemaVersion === 0 && schema.migrate ? schema.migrate(value) : value), ...fromKey };
  const problem = schema.problem(current);
  if (problem) throw invalid(`is malformed: ${problem}`);
  return current as T;
}

// ---- shape checks, for the schemas ------------------------------------------------------------------

type Check = (v: unknown) => boolean;
export const isString: Check = (v) => typeof v === 'string';
export const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
export const isBoolean: Check = (v) => typeof v === 'boolean';
export const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isStringArray: Check = (v) => Array.isArray(v) && v.every(isString);

/** The first field that is missing or of the wrong type; `?` after a name makes it optional. */
export function fieldProblem(
  value: Record<string, unknown>,
  fields: Record<string, Check>,
): string | undefined {
  for (const [spec, check] of Object.entries(fields)) {
    const optional = spec.endsWith('?');
    const name = optional ? spec.slice(0, -1) : spec;
    const v = value[name];
    if (v === undefined ? !optional : !check(v))
      return `${name} is ${v === undefined ? 'missing' : 'of the wrong type'}`;
  }
  return undefined;
}
