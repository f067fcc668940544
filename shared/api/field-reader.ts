// Reads untyped YAML objects field by field, collecting every problem with its exact path, so one
// validation run reports all mistakes in an object at once ("spec.interval: expected …, got …").
import { closestMatch } from '../core/text/closest-match.ts';
import { parseDuration } from './duration.ts';

export interface FieldIssue {
  field: string;
  problem: string;
}

type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

/** The type alone, for a Secret's values: a message must never quote one (it may be a decrypted secret). */
function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

export class FieldReader {
  readonly issues: FieldIssue[] = [];

  fail(field: string, problem: string): void {
    this.issues.push({ field, problem });
  }

  private expect(field: string, what: string, value: unknown): undefined {
    this.fail(field, `expected ${what}, got ${describe(value)}`);
    return undefined;
  }

  /**
   * Refuses every key of `value` not in `fields` (the API's own field list): dropping it silently would
   * apply something other than what was written (a misspelt targetNamespace loses every namespace), and
   * Flux's structural CRD schemas refuse it too under strict field validation.
   */
  knownFields(value: Raw | undefined, path: string, fields: readonly string[]): void {
    if (!value) return;
    for (const key of Object.keys(value)) {
      if (fields.includes(key)) continue;
      const near = closestMatch(key, fields);
      const at = path ? `${path}.` : '';
      this.fail(`${at}${key}`, `unknown field${near ? `; did you mean ${at}${near}?` : ''}`);
    }
  }

  object(parent: Raw | undefined, key: string, path: string, required = false): Raw | undefined {
    const value = parent?.[key];
    if (value === undefined || value === null) {
      if (required) this.fail(path, 'is required');
      return undefined;
    }
    return isRecord(value) ? value : this.expect(path, 'a mapping', value);
  }

  string(parent: Raw | undefined, key: string, path: string, opts: StringOptions = {}): string | undefined {
    const value = parent?.[key];
    if (value === undefined || value === null) {
      if (opts.required) this.fail(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') return this.expect(path, 'a string', value);
    if (opts.required && value === '') {
      this.fail(path, 'must not be empty');
      return undefined;
    }
    if (opts.maxLength !== undefined && value.length > opts.maxLength) {
      this.fail(path, `must be at most ${opts.maxLength} characters, got ${value.length}`);
    }
    if (opts.minLength !== undefined && value.length < opts.minLength) {
      this.fail(path, `must be at least ${opts.minLength} characters`);
    }
    if (opts.pattern && !opts.pattern.test(value)) {
      this.fail(
        path,
        `expected ${opts.patternHint ?? `to match ${opts.pattern}`}, got ${JSON.stringify(value)}`,
      );
    }
    if (opts.oneOf && !opts.oneOf.includes(value)) {
      this.fail(
        path,
        `expected one of ${opts.oneOf.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }

  boolean(parent: Raw | undefined, key: string, path: string): boolean | undefined {
    const value = parent?.[key];
    if (value === undefined || value === null) return undefined;
    return typeof value === 'boolean' ? value : this.expect(path, 'true or false', value);
  }

  duration(parent: Raw | undefined, key: string, path: string, required = false): number | undefined {
    const text = this.string(parent, key, path, { required });
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    if (ms === undefined)
      this.fail(path, `expected a duration like "10m", "1h30m" or "45s", got ${JSON.stringify(text)}`);
    return ms;
  }

  list(parent: Raw | undefined, key: string, path: string): unknown[] | undefined {
    const value = parent?.[key];
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? value : this.expect(path, 'a list', value);
  }

  /** A list whose items are mappings, each handed to `read` with its indexed path. */
  objects<T>(
    parent: Raw | undefined,
    key: string,
    path: string,
    read: (item: Raw, path: string) => T,
  ): T[] | undefined {
    const items = this.list(parent, key, path);
    if (!items) return undefined;
    const out: T[] = [];
    items.forEach((item, i) => {
      const itemPath = `${path}[${i}]`;
      if (isRecord(item)) out.push(read(item, itemPath));
      else this.expect(itemPath, 'a mapping', item);
    });
    return out;
  }

  strings(parent: Raw | undefined, key: string, path: string): string[] | undefined {
    const items = this.list(parent, key, path);
    if (!items) return undefined;
    return items.filter((item, i): item is string => {
      if (typeof item === 'string') return true;
      this.expect(`${path}[${i}]`, 'a string', item);
      return false;
    });
  }

  /** `secret`: a Secret's data, whose values a problem names by their type only, never by their value. */
  stringMap(
    parent: Raw | undefined,
    key: string,
    path: string,
    opts: { secret?: boolean } = {},
  ): Record<string, string> | undefined {
    const raw = parent?.[key];
    if (opts.secret && raw !== undefined && raw !== null && !isRecord(raw))
      return void this.fail(path, `expected a mapping, got ${describeType(raw)}`);
    const value = this.object(parent, key, path);
    if (!value) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string') out[k] = v;
      else if (opts.secret) this.fail(`${path}.${k}`, `expected a string, got ${describeType(v)}`);
      else this.expect(`${path}.${k}`, 'a string', v);
    }
    return out;
  }
}

export interface StringOptions {
  required?: boolean;
  maxLength?: number;
  minLength?: number;
  pattern?: RegExp;
  patternHint?: string;
  oneOf?: readonly string[];
}
