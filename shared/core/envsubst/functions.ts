// The operators' string functions with Flux's semantics: Go byte offsets for lengths and substrings,
// per-character case mapping, and the glob-trim rules as fluxcd/pkg/envsubst implements them.
import { globMatch } from './glob.ts';

type Fn = (value: string, args: string[]) => string;

const DEFAULT_OPERATORS = new Set(['-', '+', '=', '?', ':-', ':+', ':=', ':?']);

/** Operators that supply their own fallback and therefore never fail on an unset variable. */
export function isDefaultOperator(name: string): boolean {
  return DEFAULT_OPERATORS.has(name);
}

export function lookupFunction(name: string, argCount: number): Fn {
  switch (name) {
    case ',':
      return (v) => mapFirst(v, (c) => c.toLowerCase());
    case ',,':
      return (v) => mapEach(v, (c) => c.toLowerCase());
    case '^':
      return (v) => mapFirst(v, (c) => c.toUpperCase());
    case '^^':
      return (v) => mapEach(v, (c) => c.toUpperCase());
    case '#':
      return argCount === 0 ? (v) => String(Buffer.byteLength(v)) : (v, a) => trimShortest(v, a[0] as string);
    case '##':
      return (v, a) => trimLongest(v, a[0] as string);
    case '%':
      return (v, a) => reverse(trimShortest(reverse(v), reverse(a[0] as string)));
    case '%%':
      return (v, a) => reverse(trimLongest(reverse(v), reverse(a[0] as string)));
    case ':':
      return substring;
    case '/#':
      return (v, a) =>
        a.length === 2 && v.startsWith(a[0] as string) ? replaceGo(v, a[0] as string, a[1] as string, 1) : v;
    case '/%':
      return (v, a) =>
        a.length === 2 && v.endsWith(a[0] as string)
          ? v.slice(0, v.length - (a[0] as string).length) + a[1]
          : v;
    case '/':
      return (v, a) => (a.length === 0 ? v : replaceGo(v, a[0] as string, a[1] ?? '', 1));
    case '//':
      return (v, a) => (a.length === 0 ? v : replaceGo(v, a[0] as string, a[1] ?? '', -1));
    default:
      // '' (plain ${v}), the default operators, and unknown casing combinations: value, else joined words.
      return (v, a) => (v === '' && a.length > 0 ? a.join('') : v);
  }
}

/** Go's unicode.ToUpper/ToLower map one character to one character; JS may expand ('ß' → 'SS'). */
function mapChar(ch: string, f: (c: string) => string): string {
  const mapped = f(ch);
  return [...mapped].length === 1 ? mapped : ch;
}

function mapEach(v: string, f: (c: string) => string): string {
  return [...v].map((c) => mapChar(c, f)).join('');
}

function mapFirst(v: string, f: (c: string) => string): string {
  if (v === '') return v;
  const first = String.fromCodePoint(v.codePointAt(0) as number);
  return mapChar(first, f) + v.slice(first.length);
}

function reverse(v: string): string {
  return [...v].reverse().join('');
}

/** strings.Replace: n < 0 replaces all; an empty pattern matches before every character and at the end. */
function replaceGo(v: string, old: string, rep: string, n: number): string {
  if (old === '') {
    const chars = [...v];
    let out = '';
    let done = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || done < n) {
        out += rep;
        done++;
      }
      out += chars[i] ?? '';
    }
    return out;
  }
  return n < 0 ? v.split(old).join(rep) : v.replace(old, () => rep);
}

/** `${v:pos}` / `${v:pos:len}` over UTF-8 bytes; unparsable numbers leave the value as is. */
function substring(v: string, args: string[]): string {
  const bytes = Buffer.from(v, 'utf8');
  const len = bytes.length;
  const slice = (from: number, to = len) => bytes.subarray(from, to).toString('utf8');
  let pos = atoi(args[0]);
  if (pos === undefined) return v;
  if (pos < 0) pos = Math.max(0, len + pos);
  if (args.length < 2) return pos < len ? slice(pos) : '';
  const length = atoi(args[1]);
  if (length === undefined) return v;
  if (length < 0) {
    const end = len + length;
    return end < pos ? '' : slice(pos, end);
  }
  if (pos + length >= len) return pos < len ? slice(pos) : '';
  return slice(pos, pos + length);
}

function atoi(text: string | undefined): number | undefined {
  return text !== undefined && /^[+-]?\d+$/.test(text) ? Number.parseInt(text, 10) : undefined;
}

/** Shortest prefix matching the glob, never the empty one (Flux's loop stops at length 1). */
function trimShortest(v: string, glob: string): string {
  let shortest = '';
  for (let i = 0; i < v.length; i++) {
    const candidate = v.slice(0, v.length - i);
    const match = globMatch(glob, candidate);
    if (match === undefined) return v;
    if (match) shortest = candidate;
  }
  return shortest ? v.slice(shortest.length) : v;
}

function trimLongest(v: string, glob: string): string {
  for (let i = 0; i < v.length; i++) {
    const candidate = v.slice(0, v.length - i);
    const match = globMatch(glob, candidate);
    if (match === undefined) return v;
    if (match) return v.slice(candidate.length);
  }
  return v;
}
