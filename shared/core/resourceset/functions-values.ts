// slim-sprig's number, default, JSON and type functions (int, add, until, default, coalesce, ternary,
// toJson, fromJson, kindOf…), converting values as spf13/cast and encoding/json do.
import { arity, bool, checked, empty, int, str, toFloat64, toInt64 } from './function-args.ts';
import type { TemplateFunction } from './template-evaluator.ts';
import { FunctionError, formatNumber, isMap, isNil, typeName, type Value } from './template-values.ts';

type Table = Record<string, TemplateFunction>;

/** encoding/json.Marshal: keys sorted, `<`, `>` and `&` escaped unless `raw`. */
export function goJson(v: Value, indent: string, raw: boolean): string {
  const sortKeys = (x: Value): Value => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (isMap(x))
      return Object.fromEntries(
        Object.keys(x)
          .sort()
          .map((k) => [k, sortKeys(x[k])]),
      );
    return x;
  };
  const text = JSON.stringify(sortKeys(v) ?? null, null, indent) ?? 'null';
  return raw
    ? text
    : text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function kindOf(v: Value): string {
  if (isNil(v)) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (isMap(v)) return 'map';
  return typeName(v);
}

function sizedList(ctx: { maxListLength: number }, n: number): void {
  if (n > ctx.maxListLength) {
    throw new FunctionError(`a list of ${n} items is longer than the limit of ${ctx.maxListLength}`, true);
  }
}

function untilStep(start: number, stop: number, step: number, ctx: { maxListLength: number }): number[] {
  if (step === 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop)) return [];
  sizedList(ctx, Math.ceil(Math.abs((stop - start) / step)));
  const out: number[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(i);
  else for (let i = start; i > stop; i += step) out.push(i);
  return out;
}

const intDiv = (a: number, b: number) => {
  if (b === 0) throw new FunctionError('runtime error: integer divide by zero');
  return Math.trunc(a / b);
};

export const valueFunctions: Table = {
  atoi: (args) => {
    arity('atoi', args, 1);
    const s = str(args[0]);
    return /^[+-]?\d+$/.test(s) ? Number.parseInt(s, 10) : 0;
  },
  int64: checked(1, 1, (args) => toInt64(args[0])),
  int: checked(1, 1, (args) => toInt64(args[0])),
  float64: checked(1, 1, (args) => toFloat64(args[0])),
  toDecimal: (args) => {
    arity('toDecimal', args, 1);
    const s = String(args[0]);
    return /^[0-7]+$/.test(s) ? Number.parseInt(s, 8) : 0;
  },
  seq: (args, ctx) => {
    const p = args.map(int);
    const [a = 1, b = 1, c] = p;
    const [start, step, end] =
      p.length === 1 ? [1, 1, a] : p.length === 2 ? [a, a <= b ? 1 : -1, b] : [a, b, c ?? 0];
    if (p.length === 0 || p.length > 3) return '';
    if (step === 0 || (step > 0 && start > end) || (step < 0 && start < end)) return '';
    return untilStep(start, end + (step > 0 ? 1 : -1), step, ctx).join(' ');
  },
  until: (args, ctx) => {
    arity('until', args, 1);
    const n = int(args[0]);
    return untilStep(0, n, n < 0 ? -1 : 1, ctx);
  },
  untilStep: checked(3, 3, (args, ctx) => untilStep(int(args[0]), int(args[1]), int(args[2]), ctx)),
  add1: checked(1, 1, (args) => toInt64(args[0]) + 1),
  add: (args) => args.reduce<number>((sum, x) => sum + toInt64(x), 0),
  sub: checked(2, 2, (args) => toInt64(args[0]) - toInt64(args[1])),
  div: checked(2, 2, (args) => intDiv(toInt64(args[0]), toInt64(args[1]))),
  mod: (args) => {
    arity('mod', args, 2);
    const b = toInt64(args[1]);
    if (b === 0) throw new FunctionError('runtime error: integer divide by zero');
    return toInt64(args[0]) % b;
  },
  mul: checked(1, Number.POSITIVE_INFINITY, (args) => args.reduce<number>((p, x) => p * toInt64(x), 1)),
  biggest: checked(1, Number.POSITIVE_INFINITY, (args) => Math.max(...args.map(toInt64))),
  max: checked(1, Number.POSITIVE_INFINITY, (args) => Math.max(...args.map(toInt64))),
  min: checked(1, Number.POSITIVE_INFINITY, (args) => Math.min(...args.map(toInt64))),
  maxf: checked(1, Number.POSITIVE_INFINITY, (args) => Math.max(...args.map(toFloat64))),
  minf: checked(1, Number.POSITIVE_INFINITY, (args) => Math.min(...args.map(toFloat64))),
  ceil: checked(1, 1, (args) => Math.ceil(toFloat64(args[0]))),
  floor: checked(1, 1, (args) => Math.floor(toFloat64(args[0]))),
  round: (args) => {
    arity('round', args, 2, 3);
    const places = toInt64(args[1]);
    const half = args.length > 2 ? toFloat64(args[2]) : 0.5;
    const pow = 10 ** places;
    const digit = toFloat64(args[0]) * pow;
    const r = digit % 1 >= half ? Math.ceil(digit) : Math.floor(digit);
    return r / pow;
  },
  default: (args) => {
    arity('default', args, 1, 2);
    return args.length < 2 || empty(args[1]) ? args[0] : args[1];
  },
  coalesce: (args) => args.find((x) => !empty(x)) ?? null,
  all: (args) => args.every((x) => !empty(x)),
  any: (args) => args.some((x) => !empty(x)),
  ternary: checked(3, 3, (args) => (bool(args[2]) ? args[0] : args[1])),
  fromJson: (args) => {
    arity('fromJson', args, 1);
    try {
      return JSON.parse(str(args[0])) as Value;
    } catch {
      return null;
    }
  },
  mustFromJson: (args) => {
    arity('mustFromJson', args, 1);
    try {
      return JSON.parse(str(args[0])) as Value;
    } catch {
      throw new FunctionError('invalid JSON');
    }
  },
  toJson: checked(1, 1, (args) => goJson(args[0], '', false)),
  mustToJson: checked(1, 1, (args) => goJson(args[0], '', false)),
  toPrettyJson: checked(1, 1, (args) => goJson(args[0], '  ', false)),
  mustToPrettyJson: checked(1, 1, (args) => goJson(args[0], '  ', false)),
  toRawJson: checked(1, 1, (args) => goJson(args[0], '', true)),
  mustToRawJson: checked(1, 1, (args) => goJson(args[0], '', true)),
  typeOf: checked(1, 1, (args) => typeName(args[0])),
  typeIs: checked(2, 2, (args) => str(args[0]) === typeName(args[1])),
  typeIsLike: (args) => {
    arity('typeIsLike', args, 2);
    const t = typeName(args[1]);
    return str(args[0]) === t || str(args[0]) === `*${t}`;
  },
  kindOf: checked(1, 1, (args) => kindOf(args[0])),
  kindIs: checked(2, 2, (args) => str(args[0]) === kindOf(args[1])),
};

/** fmt.Sprintf for the verbs templates use (%s %v %d %q %t %f %x %%). */
export function sprintf(format: string, args: Value[], sprintOne: (v: Value) => string): string {
  let i = 0;
  return (
    format.replace(
      /%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])/g,
      (whole, _flags: string, width: string, prec, verb) => {
        if (verb === '%') return '%';
        if (i >= args.length) return `%!${verb}(MISSING)`;
        const v = args[i++];
        let out: string;
        switch (verb) {
          case 's':
          case 'v':
            out = sprintOne(v);
            break;
          case 'd':
            out =
              typeof v === 'number' && Number.isInteger(v)
                ? formatNumber(v)
                : `%!d(${typeName(v)}=${sprintOne(v)})`;
            break;
          case 'q':
            out = typeof v === 'string' ? JSON.stringify(v) : `%!q(${typeName(v)}=${sprintOne(v)})`;
            break;
          case 't':
            out = typeof v === 'boolean' ? String(v) : `%!t(${typeName(v)}=${sprintOne(v)})`;
            break;
          case 'f':
            out =
              typeof v === 'number'
                ? v.toFixed(prec === undefined ? 6 : Number(prec))
                : `%!f(${typeName(v)}=${sprintOne(v)})`;
            break;
          case 'x':
            out =
              typeof v === 'number'
                ? Math.trunc(v).toString(16)
                : [...new TextEncoder().encode(sprintOne(v))]
                    .map((b) => b.toString(16).padStart(2, '0'))
                    .join('');
            break;
          default:
            return whole;
        }
        // A width is bounded like any output: `%1000000000s` must not allocate.
        if (Number(width) > 1_000_000) return `%!(BADWIDTH)${out}`;
        return width ? out.padStart(Number(width)) : out;
      },
    ) +
    (i < args.length
      ? `%!(EXTRA ${args
          .slice(i)
          .map((a) => `${typeName(a)}=${sprintOne(a)}`)
          .join(', ')})`
      : '')
  );
}
