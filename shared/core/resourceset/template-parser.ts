// Parses lexed tokens into the template tree with Go text/template's grammar: actions, if/else if/else,
// range (with `$i, $v :=`, else, break, continue), with/else with, pipelines, parentheses and field chains.
import type { Command, Node, Operand, Pipeline } from './template-ast.ts';
import { type Pos, TemplateError } from './template-error.ts';
import { lex, type Token } from './template-lexer.ts';
import { parseNumber, unquote } from './template-literals.ts';

type BlockEnd = { kind: 'end' } | { kind: 'else'; token: Token };

export function parseTemplate(source: string, maxDepth: number): Node[] {
  const parser = new Parser(lex(source), maxDepth);
  return parser.list(0, false).nodes;
}

class Parser {
  private at = 0;
  lastPos: Pos = { line: 1, column: 1 };
  /** Variables in scope: Go rejects an undefined `$x` when parsing. */
  private vars: string[] = ['$'];
  private loops = 0;

  private readonly tokens: Token[];
  private readonly maxDepth: number;

  constructor(tokens: Token[], maxDepth: number) {
    this.tokens = tokens;
    this.maxDepth = maxDepth;
  }

  private peek(): Token {
    return this.tokens[this.at] as Token;
  }

  private next(): Token {
    const t = this.tokens[this.at++] as Token;
    this.lastPos = t.pos;
    return t;
  }

  private expect(type: Token['type'], context: string): Token {
    const t = this.next();
    if (t.type !== type) throw new TemplateError(`unexpected ${describe(t)} in ${context}`, t.pos);
    return t;
  }

  /** Nodes up to `end`/`else` (inside a block) or the end of input (top level). */
  list(depth: number, inBlock: boolean): { nodes: Node[]; end: BlockEnd | undefined } {
    if (depth > this.maxDepth) {
      throw new TemplateError(`blocks nested deeper than ${this.maxDepth}`, this.peek().pos, true);
    }
    const nodes: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.type === 'eof') {
        if (inBlock) throw new TemplateError('unexpected EOF: a block is missing its << end >>', t.pos);
        return { nodes, end: undefined };
      }
      if (t.type === 'text') {
        nodes.push({ type: 'text', text: t.value });
        continue;
      }
      // t is `<<`
      const k = this.peek();
      if (k.type === 'keyword') {
        this.next();
        switch (k.value) {
          case 'end':
            this.expect('right', 'end');
            if (!inBlock) throw new TemplateError('unexpected << end >>', k.pos);
            return { nodes, end: { kind: 'end' } };
          case 'else':
            if (!inBlock) throw new TemplateError('unexpected << else >>', k.pos);
            return { nodes, end: { kind: 'else', token: k } };
          case 'if':
          case 'with':
            nodes.push(this.conditional(k.value, k.pos, depth));
            continue;
          case 'range':
            nodes.push(this.range(k.pos, depth));
            continue;
          case 'break':
          case 'continue':
            if (this.loops === 0) throw new TemplateError(`<< ${k.value} >> outside << range >>`, k.pos);
            this.expect('right', k.value);
            nodes.push({ type: k.value, pos: k.pos });
            continue;
          default:
            throw new TemplateError(
              `<< ${k.value} >> is not supported in ResourceSet templates (the operator defines no named templates)`,
              k.pos,
            );
        }
      }
      const pipe = this.pipeline('command', depth);
      nodes.push({ type: 'action', pos: pipe.pos, pipe });
    }
  }

  private conditional(kind: 'if' | 'with', pos: Pos, depth: number): Node {
    const saved = this.vars.length;
    const pipe = this.pipeline(kind, depth);
    const body = this.list(depth + 1, true);
    let elseNodes: Node[] | undefined;
    if (body.end?.kind === 'else') {
      // `else if …` / `else with …` chain into a nested block that shares this one's `end`.
      const chained = this.peek();
      if (chained.type === 'keyword' && chained.value === kind) {
        this.next();
        elseNodes = [this.conditional(kind, chained.pos, depth + 1)];
      } else {
        this.expect('right', 'else');
        const rest = this.list(depth + 1, true);
        if (rest.end?.kind !== 'end')
          throw new TemplateError('expected << end >> after << else >>', this.lastPos);
        elseNodes = rest.nodes;
      }
    }
    this.vars.length = saved;
    return { type: kind, pos, pipe, body: body.nodes, else: elseNodes };
  }

  private range(pos: Pos, depth: number): Node {
    const saved = this.vars.length;
    const pipe = this.pipeline('range', depth);
    this.loops++;
    const body = this.list(depth + 1, true);
    this.loops--;
    let elseNodes: Node[] | undefined;
    if (body.end?.kind === 'else') {
      this.expect('right', 'else');
      const rest = this.list(depth + 1, true);
      if (rest.end?.kind !== 'end')
        throw new TemplateError('expected << end >> after << else >>', this.lastPos);
      elseNodes = rest.nodes;
    }
    this.vars.length = saved;
    return { type: 'range', pos, pipe, body: body.nodes, else: elseNodes };
  }

  /** Reads a pipeline up to `>>` (or `)` when nested). */
  private pipeline(context: string, depth: number, nested = false): Pipeline {
    const pos = this.peek().pos;
    const decl: string[] = [];
    let assign = false;
    // `$x :=`, `$x =`, `$i, $v :=`
    const save = this.at;
    if (this.peek().type === 'variable') {
      const first = this.next();
      const t = this.peek();
      if (t.type === 'declare' || t.type === 'assign') {
        this.next();
        decl.push(first.value);
        assign = t.type === 'assign';
      } else if (t.type === 'comma' && context === 'range') {
        this.next();
        const second = this.expect('variable', 'range declaration');
        const op = this.next();
        if (op.type !== 'declare' && op.type !== 'assign') {
          throw new TemplateError(`unexpected ${describe(op)} in range declaration`, op.pos);
        }
        decl.push(first.value, second.value);
        assign = op.type === 'assign';
      } else {
        this.at = save;
      }
    }
    for (const name of decl) {
      if (assign && !this.vars.includes(name)) throw new TemplateError(`undefined variable "${name}"`, pos);
    }
    const cmds: Command[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'right' && !nested) break;
      if (t.type === 'rparen' && nested) break;
      if (t.type === 'eof' || t.type === 'right' || t.type === 'rparen') {
        throw new TemplateError(`unexpected ${describe(t)} in ${context}`, t.pos);
      }
      cmds.push(this.command(depth));
      const sep = this.peek();
      if (sep.type === 'pipe') {
        this.next();
        if (this.peek().type === 'right' || this.peek().type === 'rparen') {
          throw new TemplateError('missing command after |', this.peek().pos);
        }
      }
    }
    if (!nested) this.next(); // `>>`
    if (cmds.length === 0) throw new TemplateError(`missing value for ${context}`, pos);
    if (!assign) this.vars.push(...decl);
    return { pos, decl, assign, cmds };
  }

  private command(depth: number): Command {
    const pos = this.peek().pos;
    const args: Operand[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'pipe' || t.type === 'right' || t.type === 'rparen' || t.type === 'eof') break;
      if (args.length > 0 && !t.spaceBefore && t.type !== 'lparen') {
        throw new TemplateError(`missing space before ${describe(t)}`, t.pos);
      }
      args.push(this.operand(depth));
    }
    if (args.length === 0) throw new TemplateError('empty command', pos);
    return { pos, args };
  }

  private operand(depth: number): Operand {
    const t = this.next();
    let node: Operand;
    switch (t.type) {
      case 'string':
        node = { type: 'string', pos: t.pos, value: unquote(t.value, t.pos) };
        break;
      case 'char': {
        const ch = unquote(`"${t.value.slice(1, -1)}"`, t.pos);
        node = { type: 'number', pos: t.pos, value: ch.codePointAt(0) ?? 0, text: t.value };
        break;
      }
      case 'number':
        node = { type: 'number', pos: t.pos, value: parseNumber(t.value, t.pos), text: t.value };
        break;
      case 'bool':
        node = { type: 'bool', pos: t.pos, value: t.value === 'true' };
        break;
      case 'nil':
        node = { type: 'nil', pos: t.pos };
        break;
      case 'dot':
        node = { type: 'dot', pos: t.pos };
        break;
      case 'field': {
        const fields = [t.value];
        while (this.peek().type === 'field' && !this.peek().spaceBefore) fields.push(this.next().value);
        return { type: 'field', pos: t.pos, fields };
      }
      case 'variable': {
        if (!this.vars.includes(t.value)) throw new TemplateError(`undefined variable "${t.value}"`, t.pos);
        const fields: string[] = [];
        while (this.peek().type === 'field' && !this.peek().spaceBefore) fields.push(this.next().value);
        return { type: 'variable', pos: t.pos, name: t.value, fields };
      }
      case 'identifier':
        node = { type: 'identifier', pos: t.pos, name: t.value };
        break;
      case 'lparen': {
        if (depth + 1 > this.maxDepth) {
          throw new TemplateError(`parentheses nested deeper than ${this.maxDepth}`, t.pos, true);
        }
        const pipe = this.pipeline('parenthesized pipeline', depth + 1, true);
        this.expect('rparen', 'parenthesized pipeline');
        node = { type: 'pipeline', pos: t.pos, pipe };
        break;
      }
      default:
        throw new TemplateError(`unexpected ${describe(t)} in operand`, t.pos);
    }
    const fields: string[] = [];
    while (this.peek().type === 'field' && !this.peek().spaceBefore) fields.push(this.next().value);
    if (fields.length === 0) return node;
    if (node.type === 'string' || node.type === 'number' || node.type === 'bool' || node.type === 'nil') {
      throw new TemplateError(`unexpected . after term ${describe(t)}`, t.pos);
    }
    return { type: 'chain', pos: t.pos, node, fields };
  }
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'EOF';
    case 'right':
      return '">>"';
    case 'left':
      return '"<<"';
    default:
      return `"${t.value}"`;
  }
}
