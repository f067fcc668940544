// String functions behind the `${var…}` operators, with Go's byte-oriented semantics where Flux has them.

export function changeCase(value: string, mode: '^' | '^^' | ',' | ',,'): string {
  if (value === '') return value;
  const [first = ''] = value;
  const rest = value.slice(first.length);
  switch (mode) {
    case '^':
      return first.toUpperCase() + rest;
    case '^^':
      return value.toUpperCase();
    case ',':
      return first.toLowerCase() + rest;
    case ',,':
      return value.toLowerCase();
  }
}

export function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** `${var:pos}` / `${var:pos:len}`; a non-numeric position or length returns the value unchanged. */
export function substring(value: string, args: string[]): string {
  const bytes = Buffer.from(value, 'utf8');
  const pos = toInt(args[0]);
  if (pos === undefined) return value;
  let start = pos < 0 ? bytes.length + pos : pos;
  if (start < 0) start = 0;
  if (start > bytes.length) return '';
  if (args.length < 2) return bytes.subarray(start).toString('utf8');
  const length = toInt(args[1]);
  if (length === undefined) return value;
  const end = start + length;
  if (end >= bytes.length || length < 0) return bytes.subarray(start).toString('utf8');
  return bytes.subarray(start, end).toString('utf8');
}

function toInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*[-+]?\d+\s*$/.test(text)) return undefined;
  return Number.parseInt(text, 10);
}

export function replace(value: string, mode: '/' | '//' | '/#' | '/%', pattern: string, replacement: string): string {
  switch (mode) {
    case '/':
      return value.replace(pattern, () => replacement);
    case '//':
      return pattern === '' ? value : value.split(pattern).join(replacement);
    case '/#':
      return value.startsWith(pattern) ? replacement + value.slice(pattern.length) : value;
    case '/%':
      return value.endsWith(pattern) ? value.slice(0, value.length - pattern.length) + replacement : value;
  }
}

/** `#`/`##` strip the shortest/longest matching prefix, `%`/`%%` the shortest/longest suffix. */
export function trim(value: string, mode: '#' | '##' | '%' | '%%', glob: string): string {
  const matcher = globToRegExp(glob);
  const n = value.length;
  if (mode === '#' || mode === '##') {
    const lengths = mode === '#' ? range(0, n) : range(n, 0);
    for (const len of lengths) if (matcher.test(value.slice(0, len))) return value.slice(len);
  } else {
    const lengths = mode === '%' ? range(0, n) : range(n, 0);
    for (const len of lengths) if (matcher.test(value.slice(n - len))) return value.slice(0, n - len);
  }
  return value;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  if (from <= to) for (let i = from; i <= to; i++) out.push(i);
  else for (let i = from; i >= to; i--) out.push(i);
  return out;
}

/** Shell glob (`*`, `?`, `[…]`, `\x`) as an anchored RegExp; `*` also matches `/`. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else if (ch === '\\' && i + 1 < glob.length) source += escapeRegExp(glob[++i] as string);
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) source += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
        source += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, 'u');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
