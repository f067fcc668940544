// The lexer of Flux's envsubst dialect. Its quirks are the point: which characters a token accepts
// depends on what the parser asked for, `$$` (and `\/`, `\\` inside replace arguments) are escapes only
// where the parser enables them, and an escape removes the escaping character from the buffer.

export type Accept = (ch: string, offset: number) => boolean;
export type Token = 'eof' | 'ident' | 'lbrack' | 'rbrack' | 'illegal';

export const SCAN_IDENT = 1;
export const SCAN_LBRACK = 2;
export const SCAN_RBRACK = 4;
export const SCAN_ESCAPE = 8;
export const ESCAPE_DOLLAR = 1;
export const ESCAPE_BACKSLASH = 2;

export class Scanner {
  buf: string;
  pos = 0;
  start = 0;
  private width = 0;
  mode = 0;
  escapeChars = 0;
  accept: Accept = () => true;

  constructor(buf: string) {
    this.buf = buf;
  }

  read(): string {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return '';
    }
    const ch = String.fromCodePoint(this.buf.codePointAt(this.pos) as number);
    this.width = ch.length;
    this.pos += this.width;
    return ch;
  }

  unread(): void {
    this.pos -= this.width;
  }

  peek(): string {
    const ch = this.read();
    this.unread();
    return ch;
  }

  /** Text of the last token (escapes already removed from the buffer). */
  text(): string {
    return this.buf.slice(this.start, this.pos);
  }

  scan(): Token {
    this.start = this.pos;
    const ch = this.read();
    if (ch === '') return 'eof';
    if (this.isLbrack(ch)) return 'lbrack';
    if (this.mode & SCAN_RBRACK && ch === '}') return 'rbrack';
    if (this.scanIdent(ch)) return 'ident';
    return 'illegal';
  }

  private isLbrack(ch: string): boolean {
    if (!(this.mode & SCAN_LBRACK) || ch !== '$') return false;
    if (this.read() === '{') return true;
    this.unread();
    return false;
  }

  private scanIdent(first: string): boolean {
    if (!(this.mode & SCAN_IDENT)) return false;
    if (this.isEscape(first)) this.dropPrevious();
    else if (!this.accept(first, this.pos - this.start)) return false;
    for (;;) {
      const ch = this.read();
      if (ch === '') {
        this.unread();
        return true;
      }
      if (this.isLbrack(ch)) {
        this.unread();
        this.unread();
        return true;
      }
      if (this.isEscape(ch)) {
        this.dropPrevious();
        continue;
      }
      if (!this.accept(ch, this.pos - this.start)) {
        this.unread();
        return true;
      }
    }
  }

  private isEscape(ch: string): boolean {
    // Peek only for a candidate escape: peeking resets the width that a later unread() relies on.
    if (!(this.mode & SCAN_ESCAPE) || (ch !== '$' && ch !== '\\')) return false;
    const next = this.peek();
    if (ch === '$') return (this.escapeChars & ESCAPE_DOLLAR) !== 0 && next === '$';
    return (this.escapeChars & ESCAPE_BACKSLASH) !== 0 && (next === '/' || next === '\\');
  }

  /** Removes the escaping character just read; the escaped one becomes part of the token. */
  private dropPrevious(): void {
    this.buf = this.buf.slice(0, this.pos - 1) + this.buf.slice(this.pos);
  }
}

export const acceptAny: Accept = () => true;
export const acceptIdent: Accept = (ch) => /^[\p{L}\p{Nd}_]$/u.test(ch);
export const acceptColon: Accept = (ch) => ch === ':';
export const acceptOneHash: Accept = (ch, i) => ch === '#' && i === 1;
export const acceptNotClosing: Accept = (ch) => ch !== '}';
export const acceptHashFunc: Accept = (ch, i) => ch === '#' && i < 3;
export const acceptPercentFunc: Accept = (ch, i) => ch === '%' && i < 3;
export const acceptDefaultFunc: Accept = (ch, i) =>
  (i === 1 && ch === ':') || (i === 2 && (ch === '=' || ch === '-' || ch === '?' || ch === '+'));
export const acceptReplaceFunc: Accept = (ch, i) =>
  (i === 1 && ch === '/') || (i === 2 && (ch === '/' || ch === '#' || ch === '%'));
export const acceptOneEqual: Accept = (ch, i) => i === 1 && ch === '=';
export const acceptOneColon: Accept = (ch, i) => i === 1 && ch === ':';
export const rejectColonClose: Accept = (ch) => ch !== ':' && ch !== '}';
export const acceptSlash: Accept = (ch) => ch === '/';
export const acceptNotSlash: Accept = (ch) => ch !== '/';
export const acceptCasingFunc: Accept = (ch, i) => (ch === ',' || ch === '^') && i < 3;
