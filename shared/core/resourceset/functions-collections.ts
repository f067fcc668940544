// slim-sprig's list and dict functions (list, dict, get, set, hasKey, keys, pick, first, uniq, has, dig…).
// Lists are copied, never changed in place; `set`/`unset` change only dicts the template built.
import { arity, checked, empty, int, list, map, str, strval } from './function-args.ts';
import type { TemplateFunction } from './template-evaluator.ts';
import { FunctionError, isMap, isNil, type Value } from './template-values.ts';

type Table = Record<string, TemplateFunction>;

function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

const listOf = (name: string, v: Value): unknown[] => list(name, v);

const baseFunctions: Table = {
  list: (args) => [...args],
  tuple: (args) => [...args],
  dict: (args) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < args.length; i += 2) out[strval(args[i])] = i + 1 < args.length ? args[i + 1] : '';
    return out;
  },
  get: (args) => {
    arity('get', args, 2);
    const d = map(args[0]);
    const key = str(args[1]);
    return Object.hasOwn(d, key) ? d[key] : '';
  },
  set: (args) => {
    arity('set', args, 3);
    const d = map(args[0]);
    d[str(args[1])] = args[2];
    return d;
  },
  unset: (args) => {
    arity('unset', args, 2);
    const d = map(args[0]);
    delete d[str(args[1])];
    return d;
  },
  hasKey: checked(2, 2, (args) => Object.hasOwn(map(args[0]), str(args[1]))),
  pluck: (args) => {
    arity('pluck', args, 1, Number.POSITIVE_INFINITY);
    const name = str(args[0]);
    return args.slice(1).flatMap((d) => (Object.hasOwn(map(d), name) ? [map(d)[name]] : []));
  },
  keys: (args) => args.flatMap((d) => Object.keys(map(d))),
  values: checked(1, 1, (args) => Object.values(map(args[0]))),
  pick: (args) => {
    arity('pick', args, 1, Number.POSITIVE_INFINITY);
    const d = map(args[0]);
    const keys = args.slice(1).map(str);
    return Object.fromEntries(Object.entries(d).filter(([k]) => keys.includes(k)));
  },
  omit: (args) => {
    arity('omit', args, 1, Number.POSITIVE_INFINITY);
    const d = map(args[0]);
    const keys = args.slice(1).map(str);
    return Object.fromEntries(Object.entries(d).filter(([k]) => !keys.includes(k)));
  },
  dig: (args) => {
    arity('dig', args, 3, Number.POSITIVE_INFINITY);
    const d = map(args[args.length - 1]);
    const fallback = args[args.length - 2];
    const keys = args.slice(0, -2).map(str);
    let cur: Value = d;
    for (const k of keys) {
      if (!isMap(cur) || !Object.hasOwn(cur, k)) return fallback;
      cur = cur[k];
    }
    return cur;
  },
  append: checked(2, 2, (args) => [...listOf('push', args[0]), args[1]]),
  push: checked(2, 2, (args) => [...listOf('push', args[0]), args[1]]),
  mustAppend: checked(2, 2, (args) => [...listOf('push', args[0]), args[1]]),
  mustPush: checked(2, 2, (args) => [...listOf('push', args[0]), args[1]]),
  prepend: checked(2, 2, (args) => [args[1], ...listOf('prepend', args[0])]),
  mustPrepend: checked(2, 2, (args) => [args[1], ...listOf('prepend', args[0])]),
  first: checked(1, 1, (args) => listOf('first', args[0])[0] ?? null),
  mustFirst: checked(1, 1, (args) => listOf('first', args[0])[0] ?? null),
  last: checked(1, 1, (args) => listOf('last', args[0]).at(-1) ?? null),
  mustLast: checked(1, 1, (args) => listOf('last', args[0]).at(-1) ?? null),
  rest: checked(1, 1, (args) => listOf('rest', args[0]).slice(1)),
  mustRest: checked(1, 1, (args) => listOf('rest', args[0]).slice(1)),
  initial: checked(1, 1, (args) => listOf('initial', args[0]).slice(0, -1)),
  mustInitial: checked(1, 1, (args) => listOf('initial', args[0]).slice(0, -1)),
  reverse: checked(1, 1, (args) => [...listOf('reverse', args[0])].reverse()),
  mustReverse: checked(1, 1, (args) => [...listOf('reverse', args[0])].reverse()),
  uniq: (args, ctx) => {
    arity('uniq', args, 1);
    const out: unknown[] = [];
    const l = listOf('uniq', args[0]);
    ctx.charge(l.length * l.length);
    for (const x of l) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  },
  without: (args, ctx) => {
    arity('without', args, 1, Number.POSITIVE_INFINITY);
    const omit = args.slice(1);
    ctx.charge(listOf('without', args[0]).length * omit.length);
    return listOf('without', args[0]).filter((x) => !omit.some((y) => deepEqual(x, y)));
  },
  has: (args) => {
    arity('has', args, 2);
    if (isNil(args[1])) return false;
    return listOf('has', args[1]).some((x) => deepEqual(x, args[0]));
  },
  compact: checked(1, 1, (args) => listOf('compact', args[0]).filter((x) => !empty(x))),
  mustCompact: checked(1, 1, (args) => listOf('compact', args[0]).filter((x) => !empty(x))),
  concat: (args) => args.flatMap((l) => listOf('concat', l)),
  slice: (args) => {
    arity('slice', args, 1, 3);
    const l = listOf('slice', args[0]);
    const start = args.length > 1 ? int(args[1]) : 0;
    const end = args.length > 2 ? int(args[2]) : l.length;
    if (start < 0 || end > l.length || start > end)
      throw new FunctionError(`slice bounds out of range [${start}:${end}]`);
    return l.slice(start, end);
  },
  chunk: (args, ctx) => {
    arity('chunk', args, 2);
    const size = int(args[0]);
    const l = listOf('chunk', args[1]);
    if (size <= 0) throw new FunctionError('size must be positive');
    const out: unknown[][] = [];
    for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
    ctx.checkSize(out.length);
    return out;
  },
  deepEqual: checked(2, 2, (args) => deepEqual(args[0], args[1])),
};

/** sprig's must* variants differ only in returning an error where the plain one returns a zero value. */
export const collectionFunctions: Table = {
  ...baseFunctions,
  mustUniq: baseFunctions.uniq as TemplateFunction,
  mustWithout: baseFunctions.without as TemplateFunction,
  mustHas: baseFunctions.has as TemplateFunction,
  mustSlice: baseFunctions.slice as TemplateFunction,
  mustChunk: baseFunctions.chunk as TemplateFunction,
};
