// Splits a ResourceSet template into text and action tokens the way Go's text/template lexer does with the
// operator's `<<` `>>` delimiters: trim markers (`<<- `, ` ->>`), comments, strings, numbers, fields, variables.
import { type Pos, TemplateError } from './template-error.ts';

export type TokenType =
  | 'text'
  | 'left'
  | 'right'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'dot'
  | 'string'
  | 'number'
  | 'char'
  | 'bool'
  | 'nil'
  | 'lparen'
  | 'rparen'
  | 'pipe'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

export interface Token {
  type: TokenType;
  value: string;
  pos: Pos;
  /** Whitespace separated it from the previous token (Go's parser needs it to tell `f .x` from `f.x`). */
  spaceBefore: boolean;
}

const LEFT = '<<';
const RIGHT = '>>';
const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'break',
  'continue',
  'define',
  'template',
  'block',
]);
const SPACE = /[ \t\r\n]/;

export function lex(source: string): Token[] {
  const tokens: Token[] = [];
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const posOf = (offset: number): Pos => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
  };
  const push = (type: TokenType, value: string, offset: number, spaceBefore = false) =>
    tokens.push({ type, value, pos: posOf(offset), spaceBefore });

  let i = 0;
  let trimNextText = false;
  while (i < source.length) {
    const start = source.indexOf(LEFT, i);
    let text = source.slice(i, start < 0 ? source.length : start);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    trimNextText = false;
    if (start < 0) {
      if (text) push('text', text, i);
      break;
    }
    // `<<- ` trims the spaces before it; the marker needs a space after `-`, else `<<-3>>` is a number.
    let j = start + LEFT.length;
    if (source[j] === '-' && SPACE.test(source[j + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      j += 2;
    }
    if (text) push('text', text, i);
    // A comment: `<</* … */>>`, nothing else in the action.
    const afterSpaces = skipSpaces(source, j);
    if (source.startsWith('/*', afterSpaces)) {
      const close = source.indexOf('*/', afterSpaces + 2);
      if (close < 0) throw new TemplateError('unclosed comment', posOf(start));
      const end = closeAction(source, close + 2);
      if (end === undefined) throw new TemplateError('comment ends before closing delimiter', posOf(close));
      trimNextText = end.trim;
      i = end.next;
      continue;
    }
    push('left', LEFT, start);
    i = lexAction(source, j, push, posOf, (trim) => {
      trimNextText = trim;
    });
  }
  push('eof', '', source.length);
  return tokens;
}

function skipSpaces(source: string, at: number): number {
  let k = at;
  while (k < source.length && SPACE.test(source[k] ?? '')) k++;
  return k;
}

/** At `at` (after spaces): ` ->>` or `>>`. */
function closeAction(source: string, at: number): { next: number; trim: boolean } | undefined {
  const k = skipSpaces(source, at);
  if (k > at && source.startsWith(`-${RIGHT}`, k)) return { next: k + 1 + RIGHT.length, trim: true };
  if (source.startsWith(RIGHT, k)) return { next: k + RIGHT.length, trim: false };
  return undefined;
}

function lexAction(
  source: string,
  from: number,
  push: (type: TokenType, value: string, offset: number, spaceBefore?: boolean) => void,
  posOf: (offset: number) => Pos,
  setTrim: (trim: boolean) => void,
): number {
  let i = from;
  let parens = 0;
  for (;;) {
    const spaced = SPACE.test(source[i] ?? '');
    i = skipSpaces(source, i);
    if (i >= source.length) throw new TemplateError('unclosed action', posOf(from));
    if (spaced && source.startsWith(`-${RIGHT}`, i)) {
      push('right', RIGHT, i);
      setTrim(true);
      return i + 1 + RIGHT.length;
    }
    if (source.startsWith(RIGHT, i)) {
      if (parens > 0) throw new TemplateError('unclosed left paren', posOf(i));
      push('right', RIGHT, i);
      setTrim(false);
      return i + RIGHT.length;
    }
    const c = source[i] ?? '';
    const start = i;
    if (c === '(') {
      parens++;
      push('lparen', c, i++, spaced);
    } else if (c === ')') {
      if (--parens < 0) throw new TemplateError('unexpected right paren', posOf(i));
      push('rparen', c, i++, spaced);
    } else if (c === '|') push('pipe', c, i++, spaced);
    else if (c === ',') push('comma', c, i++, spaced);
    else if (c === ':' && source[i + 1] === '=') {
      push('declare', ':=', i, spaced);
      i += 2;
    } else if (c === '=') push('assign', c, i++, spaced);
    else if (c === '"') {
      i = quoted(source, i, '"', posOf);
      push('string', source.slice(start, i), start, spaced);
    } else if (c === '`') {
      const close = source.indexOf('`', i + 1);
      if (close < 0) throw new TemplateError('unterminated raw quoted string', posOf(i));
      i = close + 1;
      push('string', source.slice(start, i), start, spaced);
    } else if (c === "'") {
      i = quoted(source, i, "'", posOf);
      push('char', source.slice(start, i), start, spaced);
    } else if (c === '$') {
      i++;
      while (i < source.length && /[\p{L}\p{Nd}_]/u.test(source[i] ?? '')) i++;
      push('variable', source.slice(start, i), start, spaced);
    } else if (c === '.' && /[\p{L}_]/u.test(source[i + 1] ?? '')) {
      i++;
      while (i < source.length && /[\p{L}\p{Nd}_]/u.test(source[i] ?? '')) i++;
      push('field', source.slice(start + 1, i), start, spaced);
    } else if (c === '.' && !/[0-9]/.test(source[i + 1] ?? '')) {
      push('dot', c, i++, spaced);
    } else if (/[0-9+\-.]/.test(c)) {
      const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(
        source.slice(i, i + 64),
      );
      const text = m?.[0] ?? '';
      if (!/\d/.test(text)) throw new TemplateError(`bad number syntax: "${c}"`, posOf(i));
      i += text.length;
      if (/[\p{L}_]/u.test(source[i] ?? ''))
        throw new TemplateError(`bad number syntax: "${text}${source[i]}"`, posOf(start));
      push('number', text, start, spaced);
    } else if (/[\p{L}_]/u.test(c)) {
      while (i < source.length && /[\p{L}\p{Nd}_]/u.test(source[i] ?? '')) i++;
      const word = source.slice(start, i);
      if (KEYWORDS.has(word)) push('keyword', word, start, spaced);
      else if (word === 'true' || word === 'false') push('bool', word, start, spaced);
      else if (word === 'nil') push('nil', word, start, spaced);
      else push('identifier', word, start, spaced);
    } else {
      throw new TemplateError(`unrecognized character in action: ${JSON.stringify(c)}`, posOf(i));
    }
  }
}

function quoted(source: string, from: number, quote: string, posOf: (offset: number) => Pos): number {
  let i = from + 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') i += 2;
    else if (c === '\n') break;
    else if (c === quote) return i + 1;
    else i++;
  }
  throw new TemplateError('unterminated quoted string', posOf(from));
}
