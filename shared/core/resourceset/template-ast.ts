// The syntax tree of a ResourceSet template: Go text/template's node kinds, restricted to what the
// operator's templates can express (no define/template/block: the operator never defines named templates).
import type { Pos } from './template-error.ts';

export type Node = TextNode | ActionNode | IfNode | RangeNode | WithNode | BreakNode | ContinueNode;

export interface TextNode {
  type: 'text';
  text: string;
}

/** `<< pipeline >>`: its value is printed unless the pipeline declares variables. */
export interface ActionNode {
  type: 'action';
  pos: Pos;
  pipe: Pipeline;
}

export interface IfNode {
  type: 'if';
  pos: Pos;
  pipe: Pipeline;
  body: Node[];
  else: Node[] | undefined;
}

export interface WithNode {
  type: 'with';
  pos: Pos;
  pipe: Pipeline;
  body: Node[];
  else: Node[] | undefined;
}

export interface RangeNode {
  type: 'range';
  pos: Pos;
  pipe: Pipeline;
  body: Node[];
  else: Node[] | undefined;
}

export interface BreakNode {
  type: 'break';
  pos: Pos;
}

export interface ContinueNode {
  type: 'continue';
  pos: Pos;
}

/** `$a, $b := cmd | cmd` (declare) or `$a = cmd` (assign), or just commands. */
export interface Pipeline {
  pos: Pos;
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

/** A function call with arguments, or a single operand. */
export interface Command {
  pos: Pos;
  args: Operand[];
}

export type Operand =
  | { type: 'string'; pos: Pos; value: string }
  | { type: 'number'; pos: Pos; value: number; text: string }
  | { type: 'bool'; pos: Pos; value: boolean }
  | { type: 'nil'; pos: Pos }
  | { type: 'dot'; pos: Pos }
  /** `.a.b` on the current dot. */
  | { type: 'field'; pos: Pos; fields: string[] }
  /** `$x.a.b` (fields may be empty). */
  | { type: 'variable'; pos: Pos; name: string; fields: string[] }
  /** A function name; as a command's first word it is called with the rest as arguments. */
  | { type: 'identifier'; pos: Pos; name: string }
  /** `operand.a.b`: fields taken from a function result or a parenthesized pipeline. */
  | { type: 'chain'; pos: Pos; node: Operand; fields: string[] }
  | { type: 'pipeline'; pos: Pos; pipe: Pipeline };
