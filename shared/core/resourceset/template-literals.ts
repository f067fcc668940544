// Go's literal syntax inside template actions: numbers (decimal, hex, octal, binary, `_` separators) and
// quoted strings with Go's escapes, as text/template's parser reads them.
import { type Pos, TemplateError } from './template-error.ts';

export function parseNumber(text: string, pos: Pos): number {
  const clean = text.replace(/_/g, '');
  const sign = clean.startsWith('-') ? -1 : 1;
  const body = clean.replace(/^[+-]/, '');
  let n: number;
  if (/^0[xX]/.test(body)) n = Number.parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) n = Number.parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) n = Number.parseInt(body.slice(2), 8);
  else if (/^0\d+$/.test(body)) n = Number.parseInt(body, 8);
  else n = Number(body);
  if (!Number.isFinite(n)) throw new TemplateError(`bad number syntax: "${text}"`, pos);
  return sign * n;
}

/** Go's strconv.Unquote for "…" and `…` literals. */
export function unquote(text: string, pos: Pos): string {
  if (text.startsWith('`')) return text.slice(1, -1).replace(/\r/g, '');
  let out = '';
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      '\\': '\\',
      '"': '"',
      "'": "'",
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
    };
    if (e !== undefined && e in simple) {
      out += simple[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex))
        throw new TemplateError('invalid escape in string', pos);
      out +=
        e === 'x'
          ? String.fromCharCode(Number.parseInt(hex, 16))
          : String.fromCodePoint(Number.parseInt(hex, 16));
      i += len;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new TemplateError('invalid escape in string', pos);
      out += String.fromCharCode(Number.parseInt(oct, 8));
      i += 2;
    } else {
      throw new TemplateError(`invalid escape \\${e ?? ''} in string`, pos);
    }
  }
  return out;
}
