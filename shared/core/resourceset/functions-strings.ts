// slim-sprig's string, path and encoding functions as the operator registers them (HermeticTxtFuncMap),
// with Go's argument order (`"foo" | repeat 3`) and Go's quoting rules.
import { createHash } from 'node:crypto';
import { arity, checked, empty, int, str, strslice, strval } from './function-args.ts';
import { adler32Id, b32enc, b64dec, b64enc, goQuote } from './functions-encoding.ts';
import type { TemplateFunction } from './template-evaluator.ts';
import { FunctionError, isNil } from './template-values.ts';

type Table = Record<string, TemplateFunction>;

function pathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

function pathBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function pathDir(p: string): string {
  const i = p.lastIndexOf('/');
  return pathClean(p.slice(0, i + 1));
}

function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

/** Go's strings.Title: the first letter of every word upper-cased. */
function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

function cutset(set: string): RegExp {
  return new RegExp(`[${set.replace(/[\\\]^-]/g, '\\$&')}]`, 'u');
}

function trimSet(s: string, set: string, left: boolean, right: boolean): string {
  if (set === '') return s;
  const re = cutset(set);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (left && a < b && re.test(chars[a] ?? '')) a++;
  while (right && b > a && re.test(chars[b - 1] ?? '')) b--;
  return chars.slice(a, b).join('');
}

function indent(spaces: number, v: string): string {
  const pad = ' '.repeat(Math.max(0, spaces));
  return pad + v.replaceAll('\n', `\n${pad}`);
}

/** Measured before it is built: `indent 1000000000` must not allocate first. */
function indented(ctx: { checkSize(n: number): void }, spaces: number, v: string, prefix: string): string {
  const lines = v.split('\n').length;
  ctx.checkSize(prefix.length + v.length + Math.max(0, spaces) * lines);
  return prefix + indent(spaces, v);
}

export const stringFunctions: Table = {
  hello: checked(0, 0, (_args) => 'Hello!'),
  trunc: (args) => {
    arity('trunc', args, 2);
    const c = int(args[0]);
    const s = str(args[1]);
    if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
    if (c >= 0 && s.length > c) return s.slice(0, c);
    return s;
  },
  trim: checked(1, 1, (args) => str(args[0]).trim()),
  upper: checked(1, 1, (args) => str(args[0]).toUpperCase()),
  lower: checked(1, 1, (args) => str(args[0]).toLowerCase()),
  title: checked(1, 1, (args) => title(str(args[0]))),
  substr: (args) => {
    arity('substr', args, 3);
    const start = int(args[0]);
    const end = int(args[1]);
    const s = str(args[2]);
    if (start < 0) return s.slice(0, end);
    if (end < 0 || end > s.length) return s.slice(start);
    if (start > end) throw new FunctionError(`slice bounds out of range [${start}:${end}]`);
    return s.slice(start, end);
  },
  repeat: (args, ctx) => {
    arity('repeat', args, 2);
    const count = int(args[0]);
    const s = str(args[1]);
    if (count < 0) throw new FunctionError('strings: negative Repeat count');
    ctx.checkSize(count * s.length);
    return s.repeat(count);
  },
  trimall: checked(2, 2, (args) => trimSet(str(args[1]), str(args[0]), true, true)),
  trimAll: checked(2, 2, (args) => trimSet(str(args[1]), str(args[0]), true, true)),
  trimSuffix: (args) => {
    arity('trimSuffix', args, 2);
    const [suffix, s] = [str(args[0]), str(args[1])];
    return suffix && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
  },
  trimPrefix: (args) => {
    arity('trimPrefix', args, 2);
    const [prefix, s] = [str(args[0]), str(args[1])];
    return s.startsWith(prefix) ? s.slice(prefix.length) : s;
  },
  contains: checked(2, 2, (args) => str(args[1]).includes(str(args[0]))),
  hasPrefix: checked(2, 2, (args) => str(args[1]).startsWith(str(args[0]))),
  hasSuffix: checked(2, 2, (args) => str(args[1]).endsWith(str(args[0]))),
  quote: (args) =>
    args
      .filter((a) => !isNil(a))
      .map((a) => goQuote(strval(a)))
      .join(' '),
  squote: (args) =>
    args
      .filter((a) => !isNil(a))
      .map((a) => `'${strval(a)}'`)
      .join(' '),
  cat: (args) =>
    args
      .filter((a) => !isNil(a))
      .map(strval)
      .join(' '),
  indent: checked(2, 2, (args, ctx) => indented(ctx, int(args[0]), str(args[1]), '')),
  nindent: checked(2, 2, (args, ctx) => indented(ctx, int(args[0]), str(args[1]), '\n')),
  replace: checked(3, 3, (args, ctx) => {
    const [old, replacement, s] = [str(args[0]), str(args[1]), str(args[2])];
    // An empty `old` matches between every character, as Go's strings.Replace does.
    const matches = old === '' ? s.length + 1 : s.split(old).length - 1;
    ctx.checkSize(s.length + matches * replacement.length);
    return s.replaceAll(old, replacement);
  }),
  plural: checked(3, 3, (args) => (int(args[2]) === 1 ? str(args[0]) : str(args[1]))),
  sha1sum: checked(1, 1, (args) => createHash('sha1').update(str(args[0])).digest('hex')),
  sha256sum: checked(1, 1, (args) => createHash('sha256').update(str(args[0])).digest('hex')),
  adler32sum: checked(1, 1, (args) => adler32Id(str(args[0]))),
  toString: checked(1, 1, (args) => strval(args[0])),
  join: checked(2, 2, (args, ctx) => {
    const parts = strslice(args[1]);
    const sep = str(args[0]);
    ctx.checkSize(parts.reduce((n, p) => n + p.length, 0) + sep.length * Math.max(0, parts.length - 1));
    return parts.join(sep);
  }),
  sortAlpha: (args) => {
    arity('sortAlpha', args, 1);
    const v = args[0];
    if (!Array.isArray(v)) return [strval(v)];
    return strslice(v).sort();
  },
  splitList: checked(2, 2, (args) => str(args[1]).split(str(args[0]))),
  split: (args) => {
    arity('split', args, 2);
    const parts = str(args[1]).split(str(args[0]));
    return Object.fromEntries(parts.map((p, i) => [`_${i}`, p]));
  },
  splitn: (args) => {
    arity('splitn', args, 3);
    const sep = str(args[0]);
    const n = int(args[1]);
    const s = str(args[2]);
    const all = s.split(sep);
    const parts = n < 0 || all.length <= n ? all : [...all.slice(0, n - 1), all.slice(n - 1).join(sep)];
    return Object.fromEntries((n === 0 ? [] : parts).map((p, i) => [`_${i}`, p]));
  },
  toStrings: checked(1, 1, (args) => strslice(args[0])),
  base: checked(1, 1, (args) => pathBase(str(args[0]))),
  dir: checked(1, 1, (args) => pathDir(str(args[0]))),
  clean: checked(1, 1, (args) => pathClean(str(args[0]))),
  ext: checked(1, 1, (args) => pathExt(str(args[0]))),
  isAbs: checked(1, 1, (args) => str(args[0]).startsWith('/')),
  osBase: checked(1, 1, (args) => pathBase(str(args[0]))),
  osClean: checked(1, 1, (args) => pathClean(str(args[0]))),
  osDir: checked(1, 1, (args) => pathDir(str(args[0]))),
  osExt: checked(1, 1, (args) => pathExt(str(args[0]))),
  osIsAbs: checked(1, 1, (args) => str(args[0]).startsWith('/')),
  b64enc: checked(1, 1, (args) => b64enc(strval(args[0]))),
  b64dec: checked(1, 1, (args) => b64dec(strval(args[0]))),
  b32enc: checked(1, 1, (args) => b32enc(strval(args[0]))),
  fail: (args) => {
    arity('fail', args, 1);
    throw new FunctionError(str(args[0]));
  },
  empty: checked(1, 1, (args) => empty(args[0])),
};
