// Parser for Flux's envsubst dialect (fluxcd/pkg/envsubst): only the braced `${…}` form is a reference,
// `$$` escapes a dollar, and a default `word` may nest further expressions but never a `}`.
import type { Node, Operator } from './ast.ts';
import { SubstitutionError } from './substitution-error.ts';

const IDENT = /[\p{L}\p{Nd}_]+/uy;
const DEFAULT_OPERATORS = [':=', ':-', ':+', ':?', '=', '-', '+', '?'];

export function parse(input: string): Node[] {
  const parser = new Parser(input);
  const nodes = parser.text(false);
  return nodes;
}

class Parser {
  pos = 0;
  readonly input: string;

  constructor(input: string) {
    this.input = input;
  }

  /** Literal text and expressions, up to the end of input or (inside a default word) an unnested `}`. */
  text(inWord: boolean): Node[] {
    const nodes: Node[] = [];
    let literal = '';
    const flush = () => {
      if (literal) nodes.push({ type: 'text', text: literal });
      literal = '';
    };
    while (this.pos < this.input.length) {
      const ch = this.input[this.pos] as string;
      if (inWord && ch === '}') break;
      if (ch === '$' && this.input[this.pos + 1] === '$') {
        literal += '$';
        this.pos += 2;
      } else if (ch === '$' && this.input[this.pos + 1] === '{') {
        flush();
        this.pos += 2;
        nodes.push(this.expression());
      } else {
        literal += ch;
        this.pos++;
      }
    }
    flush();
    return nodes;
  }

  private expression(): Node {
    if (this.pos >= this.input.length) throw new SubstitutionError('missing closing brace');
    if (this.input[this.pos] === '#') {
      this.pos++;
      const name = this.identifier();
      this.closeBrace();
      return { type: 'variable', name, operator: { op: 'length' } };
    }
    const name = this.identifier();
    return { type: 'variable', name, operator: this.operator() };
  }

  private identifier(): string {
    IDENT.lastIndex = this.pos;
    const match = IDENT.exec(this.input);
    if (!match) {
      if (this.pos >= this.input.length) throw new SubstitutionError('missing closing brace');
      throw new SubstitutionError('unable to parse variable name');
    }
    this.pos += match[0].length;
    return match[0];
  }

  private closeBrace(): void {
    if (this.pos >= this.input.length) throw new SubstitutionError('missing closing brace');
    if (this.input[this.pos] !== '}') throw new SubstitutionError('bad substitution');
    this.pos++;
  }

  private startsWith(token: string): boolean {
    return this.input.startsWith(token, this.pos);
  }

  private operator(): Operator {
    if (this.pos >= this.input.length) throw new SubstitutionError('missing closing brace');
    if (this.startsWith('}')) {
      this.pos++;
      return { op: 'value' };
    }
    const defaultOp = DEFAULT_OPERATORS.find((token) => this.startsWith(token));
    if (defaultOp) {
      this.pos += defaultOp.length;
      const word = this.text(true);
      this.closeBrace();
      return { op: 'default', word };
    }
    for (const mode of ['^^', '^', ',,', ','] as const) {
      if (this.startsWith(mode)) {
        this.pos += mode.length;
        this.closeBrace();
        return { op: 'case', mode };
      }
    }
    if (this.startsWith(':')) {
      this.pos++;
      return { op: 'substring', args: this.rawUntilBrace().split(':') };
    }
    for (const mode of ['//', '/#', '/%', '/'] as const) {
      if (this.startsWith(mode)) {
        this.pos += mode.length;
        const pattern = this.escapedUntil('/');
        const replacement = this.input[this.pos] === '/' ? (this.pos++, this.escapedUntil('}')) : '';
        this.closeBrace();
        return { op: 'replace', mode, pattern, replacement };
      }
    }
    for (const mode of ['##', '#', '%%', '%'] as const) {
      if (this.startsWith(mode)) {
        this.pos += mode.length;
        return { op: 'trim', mode, glob: this.rawUntilBrace() };
      }
    }
    throw new SubstitutionError('bad substitution');
  }

  private rawUntilBrace(): string {
    const end = this.input.indexOf('}', this.pos);
    if (end < 0) throw new SubstitutionError('missing closing brace');
    const raw = this.input.slice(this.pos, end);
    this.pos = end + 1;
    return raw;
  }

  /** Text up to an unescaped `stop` (or `}`), honouring `\/` and `\\`. */
  private escapedUntil(stop: '/' | '}'): string {
    let out = '';
    while (this.pos < this.input.length) {
      const ch = this.input[this.pos] as string;
      const next = this.input[this.pos + 1];
      if (ch === '\\' && (next === '/' || next === '\\')) {
        out += next;
        this.pos += 2;
        continue;
      }
      if (ch === stop || ch === '}') return out;
      out += ch;
      this.pos++;
    }
    throw new SubstitutionError('missing closing brace');
  }
}
