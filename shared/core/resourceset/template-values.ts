// Go's view of template values: which are true, how they print (fmt.Sprint), how eq/lt compare, and their
// type names in errors. Inputs hold whole numbers as int64 (apimachinery's JSON) and others as float64.

export type Value = unknown;
export type GoMap = Record<string, unknown>;

/** A function refusing its arguments, in Go's words; `limit` when a bound refused it (LimitExceeded). */
export class FunctionError extends Error {
  readonly limit: boolean;

  constructor(message: string, limit = false) {
    super(message);
    this.limit = limit;
  }
}

export function isMap(v: Value): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isNil(v: Value): v is null | undefined {
  return v === null || v === undefined;
}

type Basic = 'string' | 'int' | 'float' | 'bool';

export function basicKind(v: Value): Basic | undefined {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return undefined;
}

/** The Go type name errors mention. */
export function typeName(v: Value): string {
  if (isNil(v)) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  const kind = basicKind(v);
  return kind === 'int' ? 'int64' : kind === 'float' ? 'float64' : (kind ?? typeof v);
}

/** text/template's truth: false, 0, nil and empty strings, lists and maps are false. */
export function truth(v: Value): boolean {
  if (isNil(v)) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** What `<< value >>` writes: fmt.Sprint, except that a missing value prints as `<no value>`. */
export function printValue(v: Value): string {
  return isNil(v) ? '<no value>' : sprint(v);
}

/** fmt.Sprint of one operand (%v). */
export function sprint(v: Value): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) return `[${v.map(sprint).join(' ')}]`;
  if (isMap(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${sprint(v[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** int64 in decimal; float64 as %v does: shortest digits, exponent form below 1e-4 or from 1e6 on. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const [mantissa = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  // strconv 'g' with the shortest precision switches to %e at exponent < -4 or >= 6 (fmt's %v).
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** The `eq` builtin: true when arg1 equals any of the others. */
export function goEq(a: Value, others: Value[]): boolean {
  for (const b of others) if (equal(a, b)) return true;
  return false;
}

function equal(a: Value, b: Value): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka && kb) {
    if (ka !== kb) throw new FunctionError('incompatible types for comparison');
    return a === b;
  }
  if (isNil(a) && isNil(b)) return true;
  if (isNil(a) || isNil(b)) {
    if (Array.isArray(a) || Array.isArray(b) || isMap(a) || isMap(b)) return false;
    throw new FunctionError('incompatible types for comparison');
  }
  throw new FunctionError(`non-comparable type ${typeName(ka ? b : a)}`);
}

/** `lt`: strings, ints and floats of the same kind only. */
export function goLess(a: Value, b: Value): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (!ka || !kb || ka === 'bool' || kb === 'bool') throw new FunctionError('invalid type for comparison');
  if (ka !== kb) throw new FunctionError('incompatible types for comparison');
  return (a as string | number) < (b as string | number);
}

/** A deep copy of plain data, so functions like `set` never touch the inputs other input sets share. */
export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
}
