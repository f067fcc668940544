// Parser for Flux's envsubst dialect (fluxcd/pkg/envsubst): text with `${…}` functions. Only the braced
// form is a reference; which operators exist, and which error each malformed input gives, follow Flux.
import type { Node } from './ast.ts';
import {
  type Accept,
  acceptAny,
  acceptCasingFunc,
  acceptColon,
  acceptDefaultFunc,
  acceptHashFunc,
  acceptIdent,
  acceptNotClosing,
  acceptNotSlash,
  acceptOneColon,
  acceptOneEqual,
  acceptOneHash,
  acceptPercentFunc,
  acceptReplaceFunc,
  acceptSlash,
  ESCAPE_BACKSLASH,
  ESCAPE_DOLLAR,
  rejectColonClose,
  SCAN_ESCAPE,
  SCAN_IDENT,
  SCAN_LBRACK,
  SCAN_RBRACK,
  Scanner,
} from './scanner.ts';
import { SubstitutionError } from './substitution-error.ts';

const BAD_SUBSTITUTION = 'bad substitution';
const MISSING_CLOSING_BRACE = 'missing closing brace';
const BAD_VARIABLE_NAME = 'unable to parse variable name';
const BAD_FUNCTION_PARAM = 'unable to parse substitution within function';
const BAD_DEFAULT = 'unable to parse default function';

export function parse(input: string): Node {
  return new Parser(input).any();
}

class Parser {
  private readonly s: Scanner;

  constructor(input: string) {
    this.s = new Scanner(input);
  }

  /** Text and functions up to the end of input. */
  any(): Node {
    const nodes: Node[] = [];
    for (;;) {
      this.s.accept = acceptAny;
      this.s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
      this.s.escapeChars = ESCAPE_DOLLAR;
      const token = this.s.scan();
      if (token === 'eof') break;
      if (token === 'ident') nodes.push({ type: 'text', value: this.s.text() });
      else if (token === 'lbrack') nodes.push(this.func());
      else throw new SubstitutionError(BAD_SUBSTITUTION);
    }
    return nodes.length === 1 ? (nodes[0] as Node) : { type: 'list', nodes };
  }

  private scanWith(accept: Accept, mode: number) {
    this.s.accept = accept;
    this.s.mode = mode;
    return this.s.scan();
  }

  private func(): Node {
    this.s.escapeChars = ESCAPE_DOLLAR | ESCAPE_BACKSLASH;
    if (this.s.peek() === '#') return this.lengthFunc();
    if (this.scanWith(acceptIdent, SCAN_IDENT) !== 'ident') throw new SubstitutionError(BAD_VARIABLE_NAME);
    const param = this.s.text();
    switch (this.s.peek()) {
      case ':':
        return this.defaultOrSubstring(param);
      case '=':
        return this.defaultFunc(param);
      case ',':
      case '^':
        return this.operatorOnly(param, acceptCasingFunc);
      case '/':
        return this.replaceFunc(param);
      case '#':
        return this.removeFunc(param, acceptHashFunc);
      case '%':
        return this.removeFunc(param, acceptPercentFunc);
    }
    if (this.scanWith(acceptIdent, SCAN_RBRACK) !== 'rbrack')
      throw new SubstitutionError(MISSING_CLOSING_BRACE);
    return { type: 'func', param, name: '', args: [] };
  }

  /** One argument: a nested function, or text the accept function allows. */
  private param(accept: Accept, mode: number): Node {
    const token = this.scanWith(accept, mode | SCAN_LBRACK);
    if (token === 'lbrack') return this.func();
    if (token === 'ident' || token === 'rbrack') return { type: 'text', value: this.s.text() };
    throw new SubstitutionError(BAD_FUNCTION_PARAM);
  }

  private operator(accept: Accept, error = BAD_SUBSTITUTION): string {
    if (this.scanWith(accept, SCAN_IDENT) !== 'ident') throw new SubstitutionError(error);
    return this.s.text();
  }

  private closeBrace(): void {
    this.s.mode = SCAN_RBRACK;
    if (this.s.scan() !== 'rbrack') throw new SubstitutionError(BAD_SUBSTITUTION);
  }

  private defaultOrSubstring(param: string): Node {
    this.s.read();
    const next = this.s.peek();
    this.s.unread();
    return next === '=' || next === '-' || next === '?' || next === '+'
      ? this.defaultFunc(param)
      : this.substringFunc(param);
  }

  /** `${v:pos}` / `${v:pos:len}`. */
  private substringFunc(param: string): Node {
    const name = this.operator(acceptOneColon);
    const args = [this.param(rejectColonClose, SCAN_IDENT)];
    const token = this.scanWith(acceptColon, SCAN_IDENT | SCAN_RBRACK);
    if (token === 'rbrack') return { type: 'func', param, name, args };
    if (token !== 'ident') throw new SubstitutionError(BAD_SUBSTITUTION);
    args.push(this.param(acceptNotClosing, SCAN_IDENT));
    this.closeBrace();
    return { type: 'func', param, name, args };
  }

  /** `${v#glob}` `${v##glob}` `${v%glob}` `${v%%glob}`: exactly one argument. */
  private removeFunc(param: string, accept: Accept): Node {
    const name = this.operator(accept);
    const args = [this.param(acceptNotClosing, SCAN_IDENT)];
    this.closeBrace();
    return { type: 'func', param, name, args };
  }

  /** `${v/pat/rep}` `${v//pat/rep}` `${v/#pat/rep}` `${v/%pat/rep}`; the replacement may be absent. */
  private replaceFunc(param: string): Node {
    const name = this.operator(acceptReplaceFunc);
    const args: Node[] = [
      this.s.peek() === '/'
        ? { type: 'text', value: '' }
        : this.param(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE),
    ];
    this.operator(acceptSlash);
    if (this.s.peek() !== '}') args.push(this.param(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.closeBrace();
    return { type: 'func', param, name, args };
  }

  /** `${v=w}` `${v:=w}` `${v:-w}` `${v:?w}` `${v:+w}`: the word may mix text and nested functions. */
  private defaultFunc(param: string): Node {
    const name = this.operator(this.s.peek() === '=' ? acceptOneEqual : acceptDefaultFunc, BAD_DEFAULT);
    const args: Node[] = [];
    while (this.s.peek() !== '}') args.push(this.param(acceptNotClosing, SCAN_IDENT));
    this.closeBrace();
    return { type: 'func', param, name, args };
  }

  /** `${v^}` `${v^^}` `${v,}` `${v,,}`. */
  private operatorOnly(param: string, accept: Accept): Node {
    const name = this.operator(accept);
    this.closeBrace();
    return { type: 'func', param, name, args: [] };
  }

  /** `${#v}`. */
  private lengthFunc(): Node {
    const name = this.operator(acceptOneHash);
    const param = this.operator(acceptIdent);
    this.closeBrace();
    return { type: 'func', param, name, args: [] };
  }
}
