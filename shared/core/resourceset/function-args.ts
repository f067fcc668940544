// Argument checks for template functions, worded as Go's template engine words them, and the conversions
// sprig applies (strval, toInt64) so a function behaves the same on the operator and here.
import type { TemplateFunction } from './template-evaluator.ts';
import {
  FunctionError,
  formatNumber,
  isMap,
  isNil,
  sprint,
  typeName,
  type Value,
} from './template-values.ts';

export function arity(name: string, args: Value[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want =
      min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
    throw new FunctionError(
      `wrong number of args${name ? ` for ${name}` : ''}: want ${want} got ${args.length}`,
    );
  }
}

/** A function with its argument count checked first (the evaluator's error names the function). */
export function checked(min: number, max: number, fn: TemplateFunction): TemplateFunction {
  return (args, ctx) => {
    arity('', args, min, max);
    return fn(args, ctx);
  };
}

/** A Go `string` parameter: only strings are accepted. */
export function str(v: Value): string {
  if (typeof v === 'string') return v;
  if (isNil(v)) throw new FunctionError('invalid value; expected string');
  throw new FunctionError(`wrong type for value; expected string; got ${typeName(v)}`);
}

/** A Go `int` parameter. */
export function int(v: Value): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (isNil(v)) throw new FunctionError('invalid value; expected int');
  throw new FunctionError(`wrong type for value; expected int; got ${typeName(v)}`);
}

export function bool(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  throw new FunctionError(`wrong type for value; expected bool; got ${typeName(v)}`);
}

export function map(v: Value): Record<string, unknown> {
  if (isMap(v)) return v;
  throw new FunctionError(`wrong type for value; expected map[string]interface {}; got ${typeName(v)}`);
}

/** sprig's strval: strings as they are, everything else as fmt.Sprint prints it. */
export function strval(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  return sprint(v);
}

/** spf13/cast ToInt64: numbers truncated, strings parsed with base prefixes (bad → 0), bools 1/0. */
export function toInt64(v: Value): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.replace(/\.0*$/, '');
    const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|[1-9][0-9_]*|0)$/.exec(s);
    if (!m) return 0;
    const sign = m[1] === '-' ? -1 : 1;
    const body = (m[2] ?? '0').replace(/_/g, '');
    let n: number;
    if (/^0[xX]/.test(body)) n = Number.parseInt(body.slice(2), 16);
    else if (/^0[bB]/.test(body)) n = Number.parseInt(body.slice(2), 2);
    else if (/^0[oO]/.test(body)) n = Number.parseInt(body.slice(2), 8);
    else if (/^0\d/.test(body)) n = Number.parseInt(body.slice(1), 8);
    else n = Number.parseInt(body, 10);
    return sign * n;
  }
  return 0;
}

export function toFloat64(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim() === '' ? Number.NaN : v);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

/** sprig's empty: nil, false, 0, and empty strings, lists and maps. */
export function empty(v: Value): boolean {
  if (isNil(v)) return true;
  if (typeof v === 'string') return v.length === 0;
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'boolean') return !v;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

/** sprig's strslice: a list's non-nil items as strings; anything else as a one-item list. */
export function strslice(v: Value): string[] {
  if (Array.isArray(v)) return v.filter((x) => !isNil(x)).map(strval);
  if (isNil(v)) return [];
  return [strval(v)];
}

export function list(name: string, v: Value): unknown[] {
  if (Array.isArray(v)) return v;
  throw new FunctionError(`Cannot find ${name} on type ${typeName(v)}`);
}
