// A fast, exact reader for the plain block YAML helm's templates print, typed by the `yaml` package's own
// YAML 1.1 tags; anything outside that subset, or in doubt, yields undefined: the caller uses the package.
import { isScalar, Schema } from 'yaml';
import { yaml11Tags } from './yaml-codec.ts';

interface ScalarTag {
  tag: string;
  default?: boolean | 'key';
  test?: RegExp;
  resolve: (value: string, onError: (msg: string) => void, options: object) => unknown;
}

const STR = 'tag:yaml.org,2002:str';
const schema = new Schema({ schema: 'yaml-1.1', customTags: yaml11Tags, merge: true });
// The tags the `yaml` package tries on a plain scalar, in its order (compose-scalar.ts findScalarTagByTest).
const plainTags = (schema.tags as unknown as ScalarTag[]).filter((t) => t.default === true && t.test);
const RESOLVE_OPTIONS = { intAsBigInt: false };

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

function resolvePlain(text: string): unknown {
  const tag = plainTags.find((t) => t.test?.test(text));
  if (!tag || tag.tag === STR) return text;
  let failed = false;
  const resolved = tag.resolve(
    text,
    () => {
      failed = true;
    },
    RESOLVE_OPTIONS,
  );
  // Some tags resolve to a Scalar node (YAML 1.1 booleans), as compose-scalar.ts accepts.
  const value = isScalar(resolved) ? resolved.value : resolved;
  if (failed || (typeof value === 'object' && value !== null)) bail();
  return value;
}

// Control characters, BOM, tabs and CRs make YAML's rules subtle: the `yaml` package reads those.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters refused.
const UNSAFE_TEXT = /[\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/;
// A plain key: no spaces, quotes, colons or indicators; `<<` (merge) and `__proto__` are left to the package.
const KEY_LINE = /^([^\s:'"#{}[\],&*!|>%@`?\-<][^\s:]*):(?: +(.*))?$/;
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The value of one YAML document, or undefined when it is not in the subset this reader knows exactly. */
export function parseBlockYaml(text: string): { value: unknown } | undefined {
  if (UNSAFE_TEXT.test(text)) return undefined;
  try {
    return { value: new Reader(text).document() };
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}

class Reader {
  private readonly lines: string[];
  private i = 0;

  constructor(text: string) {
    this.lines = text.split('\n');
  }

  document(): unknown {
    this.skipBlank();
    if (this.i >= this.lines.length) return null;
    const value = this.node(this.indent());
    this.skipBlank();
    if (this.i < this.lines.length) bail();
    return value;
  }

  /** Moves past empty lines and comment lines. */
  private skipBlank(): void {
    while (this.i < this.lines.length) {
      const t = (this.lines[this.i] as string).trimStart();
      if (t !== '' && !t.startsWith('#')) return;
      this.i++;
    }
  }

  private indent(): number {
    const line = this.lines[this.i] as string;
    return line.length - line.trimStart().length;
  }

  /** A block node whose first line (the current one) is at `indent`. */
  private node(indent: number): unknown {
    const content = (this.lines[this.i] as string).slice(indent);
    if (content === '-' || content.startsWith('- ')) return this.seq(indent);
    if (keyOf(content)) return this.map(indent);
    return bail();
  }

  private map(indent: number, first?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let content: string | undefined = first;
    for (;;) {
      if (content === undefined) {
        this.skipBlank();
        if (this.i >= this.lines.length || this.indent() < indent) return out;
        if (this.indent() > indent) bail();
        content = (this.lines[this.i] as string).slice(indent);
      }
      const [key, inline] = keyOf(content) ?? bail();
      if (key === '__proto__' || key === '<<' || key.length > 1000 || Object.hasOwn(out, key)) bail();
      this.i++;
      const value = this.value(inline, indent, true);
      if (key in out)
        Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      else out[key] = value;
      content = undefined;
    }
  }

  private seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      this.skipBlank();
      if (this.i >= this.lines.length || this.indent() < indent) return out;
      if (this.indent() > indent) bail();
      const content = (this.lines[this.i] as string).slice(indent);
      if (content !== '-' && !content.startsWith('- ')) return out;
      const rest = content.slice(1);
      const after = rest.trimStart();
      if (after !== '' && !after.startsWith('#') && keyOf(after)) {
        // `- key: value`: a mapping whose keys line up after the dash.
        const inner = indent + 1 + (rest.length - after.length);
        out.push(this.map(inner, after));
      } else {
        this.i++;
        out.push(this.value(rest === '' ? undefined : rest.slice(1), indent, false));
      }
    }
  }

  /** The value after `key:` or `-` (`inline` is the text after the indicator and its space). */
  private value(inline: string | undefined, indent: number, inMap: boolean): unknown {
    const text = (inline ?? '').trim();
    if (text === '' || text.startsWith('#')) {
      this.skipBlank();
      if (this.i >= this.lines.length) return null;
      const next = this.indent();
      const content = (this.lines[this.i] as string).slice(next);
      if (next > indent) {
        if (content === '-' || content.startsWith('- ') || keyOf(content)) return this.node(next);
        // A scalar or flow collection on a line of its own (`resources:` then `{}`, as toYaml | nindent prints).
        if (content.startsWith('|')) bail();
        this.i++;
        return this.inline(content.trim(), indent);
      }
      // A map's value may be a sequence at the map's own indent (how go-yaml prints lists).
      if (inMap && next === indent && (content === '-' || content.startsWith('- '))) return this.seq(indent);
      return null;
    }
    return this.inline(text, indent);
  }

  /** A value written on one line (the current line was already passed), below a node at `indent`. */
  private inline(text: string, indent: number): unknown {
    let value: unknown;
    const c = text[0] as string;
    if (c === '|') value = this.literal(text, indent);
    else if (c === '"') value = this.quotedLine(text, doubleQuoted);
    else if (c === "'") value = this.quotedLine(text, singleQuoted);
    else if (c === '[') value = this.flowSeq(text);
    else if (c === '{') value = text === '{}' ? {} : bail();
    else value = plainScalar(text);
    // A more indented line after an inline value would continue it (a multi-line scalar): not this reader's.
    if (c !== '|') {
      this.skipBlank();
      if (this.i < this.lines.length && this.indent() > indent) bail();
    }
    return value;
  }

  private quotedLine(text: string, read: (text: string) => [string, number]): string {
    const [value, end] = read(text);
    trailer(text.slice(end));
    return value;
  }

  private flowSeq(text: string): unknown[] {
    const out: unknown[] = [];
    let p = 1;
    const skip = () => {
      while (text[p] === ' ') p++;
    };
    skip();
    if (text[p] === ']') {
      trailer(text.slice(p + 1));
      return out;
    }
    for (;;) {
      skip();
      const c = text[p];
      if (c === '"' || c === "'") {
        const [value, used] = (c === '"' ? doubleQuoted : singleQuoted)(text.slice(p));
        out.push(value);
        p += used;
      } else {
        let q = p;
        while (q < text.length && !',[]{}'.includes(text[q] as string)) q++;
        const item = text.slice(p, q).trim();
        if (item === '' || item.includes('#') || item.includes(': ') || item.endsWith(':')) bail();
        out.push(plainScalar(item));
        p = q;
      }
      skip();
      if (text[p] === ',') {
        p++;
        continue;
      }
      if (text[p] !== ']') bail();
      trailer(text.slice(p + 1));
      return out;
    }
  }

  /** `|` or `|-` with content indented more than `indent` (auto-detected); `|+`, `>` and indicators bail. */
  private literal(header: string, indent: number): string {
    const m = /^\|(-?)(?: +#.*)?$/.exec(header) ?? bail();
    const strip = m[1] === '-';
    let n = -1;
    const body: string[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i] as string;
      const t = line.trimStart();
      if (t === '') {
        if (n >= 0 ? line.length > n : line.length > indent) bail();
        body.push('');
        this.i++;
        continue;
      }
      const ind = line.length - t.length;
      if (n < 0) {
        if (ind <= indent) break;
        n = ind;
      }
      if (ind < n) break;
      body.push(line.slice(n));
      this.i++;
    }
    if (n < 0) bail();
    // Trailing empty lines are not content (clip keeps one line break, strip none).
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    const joined = body.join('\n');
    if (this.i < this.lines.length && this.indent() > indent) bail();
    return strip ? joined : `${joined}\n`;
  }
}

/** A line's mapping key (plain, typed as a string, or quoted) and the text after `: `, if it starts with one. */
function keyOf(content: string): [string, string | undefined] | undefined {
  const c = content[0];
  if (c === '"' || c === "'") {
    let read: [string, number];
    try {
      read = (c === '"' ? doubleQuoted : singleQuoted)(content);
    } catch (err) {
      if (err instanceof Bail) return undefined;
      throw err;
    }
    const rest = content.slice(read[1]);
    if (rest === ':') return [read[0], undefined];
    return rest.startsWith(': ') ? [read[0], rest.slice(2)] : undefined;
  }
  const m = KEY_LINE.exec(content);
  if (!m) return undefined;
  const key = m[1] as string;
  return resolvePlain(key) === key ? [key, m[2]] : bail();
}

function plainScalar(text: string): unknown {
  const c = text[0] as string;
  if ('[]{},#&*!|>\'"%@`'.includes(c)) bail();
  if ((c === '-' || c === '?' || c === ':') && (text.length === 1 || text[1] === ' ')) bail();
  if (text.includes(': ') || text.includes(' #') || text.endsWith(':')) bail();
  return resolvePlain(text.trimEnd());
}

/** What may follow a value on its line: nothing, or a comment. */
function trailer(rest: string): void {
  if (rest !== '' && !/^ +#/.test(rest) && rest.trim() !== '') bail();
}

/** A double-quoted scalar that ends on its line: its value and the characters it used. */
function doubleQuoted(text: string): [string, number] {
  let out = '';
  let p = 1;
  while (p < text.length) {
    const c = text[p] as string;
    if (c === '"') return [out, p + 1];
    if (c === '\\') {
      const e = text[p + 1] ?? bail();
      const hex = HEX_LENGTH[e];
      if (hex) {
        const code = text.slice(p + 2, p + 2 + hex);
        if (code.length !== hex || !/^[0-9a-fA-F]+$/.test(code)) bail();
        const cp = Number.parseInt(code, 16);
        if (cp > 0x10ffff) bail();
        out += String.fromCodePoint(cp);
        p += 2 + hex;
        continue;
      }
      out += ESCAPES[e] ?? bail();
      p += 2;
      continue;
    }
    out += c;
    p++;
  }
  return bail();
}

/** A single-quoted scalar that ends on its line (`''` is a quote). */
function singleQuoted(text: string): [string, number] {
  let out = '';
  let p = 1;
  while (p < text.length) {
    const c = text[p] as string;
    if (c === "'") {
      if (text[p + 1] === "'") {
        out += "'";
        p += 2;
        continue;
      }
      return [out, p + 1];
    }
    out += c;
    p++;
  }
  return bail();
}
