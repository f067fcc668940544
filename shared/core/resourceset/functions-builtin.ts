// Go text/template's own functions (not, len, index, print, printf, println, eq, ne, lt, le, gt, ge);
// `and`/`or` are in the evaluator because they short-circuit.
import { arity, checked, int } from './function-args.ts';
import { sprintf } from './functions-values.ts';
import type { TemplateFunction } from './template-evaluator.ts';
import {
  FunctionError,
  goEq,
  goLess,
  isMap,
  isNil,
  sprint,
  truth,
  typeName,
  type Value,
} from './template-values.ts';

type Table = Record<string, TemplateFunction>;

/** fmt.Sprint: a space between operands when neither is a string. */
function goSprint(args: Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += sprint(a);
  });
  return out;
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

export const builtinFunctions: Table = {
  not: checked(1, 1, (args) => !truth(args[0])),
  len: (args) => {
    arity('len', args, 1);
    const v = args[0];
    if (typeof v === 'string') return byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new FunctionError(`len of type ${typeName(v)}`);
  },
  index: (args) => {
    arity('index', args, 1, Number.POSITIVE_INFINITY);
    let item = args[0];
    if (isNil(item)) throw new FunctionError('index of untyped nil');
    for (const key of args.slice(1)) {
      if (Array.isArray(item)) {
        const i = int(key);
        if (i < 0 || i >= item.length) throw new FunctionError(`index out of range: ${i}`);
        item = item[i];
      } else if (isMap(item)) {
        if (typeof key !== 'string')
          throw new FunctionError(`value has type ${typeName(key)}; should be string`);
        item = Object.hasOwn(item, key) ? item[key] : null;
      } else if (isNil(item)) {
        throw new FunctionError('index of nil pointer');
      } else {
        throw new FunctionError(`can't index item of type ${typeName(item)}`);
      }
    }
    return item;
  },
  print: (args) => goSprint(args),
  println: (args) => `${args.map(sprint).join(' ')}\n`,
  printf: (args) => {
    arity('printf', args, 1, Number.POSITIVE_INFINITY);
    if (typeof args[0] !== 'string')
      throw new FunctionError(`wrong type for value; expected string; got ${typeName(args[0])}`);
    return sprintf(args[0], args.slice(1), sprint);
  },
  eq: checked(2, Number.POSITIVE_INFINITY, (args) => goEq(args[0], args.slice(1))),
  ne: checked(2, 2, (args) => !goEq(args[0], [args[1]])),
  lt: checked(2, 2, (args) => goLess(args[0], args[1])),
  le: checked(2, 2, (args) => goLess(args[0], args[1]) || goEq(args[0], [args[1]])),
  gt: checked(2, 2, (args) => !goLess(args[0], args[1]) && !goEq(args[0], [args[1]])),
  ge: checked(2, 2, (args) => !goLess(args[0], args[1])),
};
