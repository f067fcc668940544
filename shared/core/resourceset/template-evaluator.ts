// Executes a parsed ResourceSet template as Go's text/template does with `missingkey=error`: `.` starts as
// nil, `inputs` is a function, blocks scope their variables; every step, loop and output byte is counted.
import type { Command, Node, Operand, Pipeline } from './template-ast.ts';
import { type Pos, TemplateError } from './template-error.ts';
import { FunctionError, isMap, isNil, printValue, truth, typeName, type Value } from './template-values.ts';

/** A template function: receives evaluated arguments; throws FunctionError with Go's wording on misuse. */
export type TemplateFunction = (args: Value[], ctx: CallContext) => Value;

export interface CallContext {
  /** Strings and lists a function builds are bounded like the output. */
  checkSize(length: number): void;
  /** Work a function does beyond its call (comparisons of `uniq`, `without`…) counts as evaluation steps. */
  charge(steps: number): void;
  maxListLength: number;
}

export interface Budget {
  steps: number;
  maxSteps: number;
  maxOutputLength: number;
  maxListLength: number;
}

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
type Flow = typeof BREAK | typeof CONTINUE | undefined;

export function execute(
  nodes: Node[],
  functions: ReadonlyMap<string, TemplateFunction>,
  budget: Budget,
): string {
  const ev = new Evaluator(functions, budget);
  ev.walk(nodes, null, [{ name: '$', value: null }]);
  return ev.output();
}

interface Variable {
  name: string;
  value: Value;
}

class Evaluator {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly ctx: CallContext;
  private readonly functions: ReadonlyMap<string, TemplateFunction>;
  private readonly budget: Budget;

  constructor(functions: ReadonlyMap<string, TemplateFunction>, budget: Budget) {
    this.functions = functions;
    this.budget = budget;
    this.ctx = {
      maxListLength: budget.maxListLength,
      charge: (steps) => {
        budget.steps += steps;
        if (budget.steps > budget.maxSteps)
          throw new FunctionError(`more than ${budget.maxSteps} evaluation steps`, true);
      },
      checkSize: (length) => {
        if (length > budget.maxOutputLength) {
          throw new FunctionError(
            `a value of ${length} characters is larger than the limit of ${budget.maxOutputLength}`,
            true,
          );
        }
      },
    };
  }

  output(): string {
    return this.parts.join('');
  }

  private step(pos: Pos): void {
    if (++this.budget.steps > this.budget.maxSteps) {
      throw new TemplateError(`more than ${this.budget.maxSteps} evaluation steps`, pos, true);
    }
  }

  private write(text: string, pos: Pos): void {
    this.length += text.length;
    if (this.length > this.budget.maxOutputLength) {
      throw new TemplateError(`writes more than ${this.budget.maxOutputLength} characters`, pos, true);
    }
    this.parts.push(text);
  }

  walk(nodes: Node[], dot: Value, vars: Variable[]): Flow {
    const mark = vars.length;
    try {
      for (const node of nodes) {
        const flow = this.node(node, dot, vars);
        if (flow) return flow;
      }
      return undefined;
    } finally {
      vars.length = mark;
    }
  }

  private node(node: Node, dot: Value, vars: Variable[]): Flow {
    switch (node.type) {
      case 'text':
        this.write(node.text, { line: 0, column: 0 });
        return undefined;
      case 'action': {
        this.step(node.pos);
        const value = this.pipeline(node.pipe, dot, vars);
        if (node.pipe.decl.length === 0) this.write(printValue(value), node.pos);
        return undefined;
      }
      case 'if':
      case 'with': {
        this.step(node.pos);
        const mark = vars.length;
        try {
          const value = this.pipeline(node.pipe, dot, vars);
          if (truth(value)) return this.walk(node.body, node.type === 'with' ? value : dot, vars);
          if (node.else) return this.walk(node.else, dot, vars);
          return undefined;
        } finally {
          vars.length = mark;
        }
      }
      case 'range':
        return this.range(node, dot, vars);
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
    }
  }

  private range(node: Extract<Node, { type: 'range' }>, dot: Value, vars: Variable[]): Flow {
    this.step(node.pos);
    const mark = vars.length;
    try {
      const value = this.pipelineValue(node.pipe, dot, vars);
      let entries: [Value, Value][];
      if (Array.isArray(value)) entries = value.map((v, i) => [i, v]);
      else if (isMap(value))
        entries = Object.keys(value)
          .sort()
          .map((k) => [k, value[k]]);
      else if (typeof value === 'number' && Number.isInteger(value)) {
        // Go 1.22: range over an integer counts from 0.
        if (value > this.budget.maxSteps) {
          throw new TemplateError(
            `range over ${value} is more than ${this.budget.maxSteps} steps`,
            node.pos,
            true,
          );
        }
        entries = Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
      } else if (isNil(value)) entries = [];
      else throw new TemplateError(`range can't iterate over a value of type ${typeName(value)}`, node.pos);
      if (entries.length === 0) return node.else ? this.walk(node.else, dot, vars) : undefined;
      const [first, second] = node.pipe.decl;
      for (const [key, elem] of entries) {
        this.step(node.pos);
        const inner = vars.length;
        if (second !== undefined) {
          this.setVar(vars, first as string, key, node.pipe.assign, node.pos);
          this.setVar(vars, second, elem, node.pipe.assign, node.pos);
        } else if (first !== undefined) this.setVar(vars, first, elem, node.pipe.assign, node.pos);
        const flow = this.walk(node.body, elem, vars);
        vars.length = inner;
        if (flow === BREAK) break;
      }
      return undefined;
    } finally {
      vars.length = mark;
    }
  }

  private setVar(vars: Variable[], name: string, value: Value, assign: boolean, pos: Pos): void {
    if (!assign) {
      vars.push({ name, value });
      return;
    }
    for (let i = vars.length - 1; i >= 0; i--) {
      const v = vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    throw new TemplateError(`undefined variable: ${name}`, pos);
  }

  /** A pipeline's value, without declaring its variables (range declares per element). */
  private pipelineValue(pipe: Pipeline, dot: Value, vars: Variable[]): Value {
    let value: Value;
    let hasFinal = false;
    for (const cmd of pipe.cmds) {
      value = this.command(cmd, dot, vars, hasFinal ? { value } : undefined);
      hasFinal = true;
    }
    return value;
  }

  private pipeline(pipe: Pipeline, dot: Value, vars: Variable[]): Value {
    const value = this.pipelineValue(pipe, dot, vars);
    for (const name of pipe.decl) this.setVar(vars, name, value, pipe.assign, pipe.pos);
    return value;
  }

  private command(cmd: Command, dot: Value, vars: Variable[], final: { value: Value } | undefined): Value {
    this.step(cmd.pos);
    const [head, ...rest] = cmd.args as [Operand, ...Operand[]];
    if (head.type === 'identifier') return this.call(head.name, head.pos, rest, dot, vars, final);
    if (head.type === 'nil') throw new TemplateError('nil is not a command', head.pos);
    if (rest.length > 0 || final) {
      const what = head.type === 'field' ? head.fields.join('.') : describeOperand(head);
      throw new TemplateError(`can't give argument to non-function ${what}`, cmd.pos);
    }
    return this.operand(head, dot, vars);
  }

  private call(
    name: string,
    pos: Pos,
    argNodes: Operand[],
    dot: Value,
    vars: Variable[],
    final: { value: Value } | undefined,
  ): Value {
    // and/or evaluate their arguments lazily and return the deciding one (Go 1.18).
    if (name === 'and' || name === 'or') {
      const thunks = argNodes.map((a) => () => this.operand(a, dot, vars));
      if (final) thunks.push(() => final.value);
      if (thunks.length === 0)
        throw new TemplateError(`wrong number of args for ${name}: want at least 1 got 0`, pos);
      let value: Value;
      for (const thunk of thunks) {
        value = thunk();
        if (truth(value) === (name === 'or')) return value;
      }
      return value;
    }
    const fn = this.functions.get(name);
    if (!fn) throw new TemplateError(`function "${name}" not defined`, pos);
    const args = argNodes.map((a) => this.operand(a, dot, vars));
    if (final) args.push(final.value);
    try {
      // Building values is work: the bigger a string a function returns, the more of the budget it uses.
      if (CONCATENATING.has(name)) this.ctx.checkSize(concatenatedLength(args));
      const result = fn(args, this.ctx);
      if (typeof result === 'string') {
        this.ctx.checkSize(result.length);
        this.ctx.charge(Math.floor(result.length / 1024));
      }
      return result;
    } catch (err) {
      if (err instanceof FunctionError) {
        throw new TemplateError(`error calling ${name}: ${err.message}`, pos, err.limit);
      }
      throw err;
    }
  }

  private operand(op: Operand, dot: Value, vars: Variable[]): Value {
    switch (op.type) {
      case 'string':
      case 'number':
      case 'bool':
        return op.value;
      case 'nil':
        return null;
      case 'dot':
        return dot;
      case 'field':
        return this.fields(dot, op.fields, op.pos, '');
      case 'variable': {
        const v = findVar(vars, op.name);
        if (!v) throw new TemplateError(`undefined variable: ${op.name}`, op.pos);
        return this.fields(v.value, op.fields, op.pos, op.name);
      }
      case 'identifier':
        return this.call(op.name, op.pos, [], dot, vars, undefined);
      case 'pipeline':
        return this.pipelineValue(op.pipe, dot, vars);
      case 'chain':
        return this.fields(this.operand(op.node, dot, vars), op.fields, op.pos, describeOperand(op.node));
    }
  }

  private fields(start: Value, fields: string[], pos: Pos, from: string): Value {
    let value = start;
    let path = from;
    for (const field of fields) {
      if (isMap(value)) {
        if (!Object.hasOwn(value, field)) {
          throw new TemplateError(`at <${path}.${field}>: map has no entry for key "${field}"`, pos);
        }
        value = value[field];
      } else if (isNil(value)) {
        throw new TemplateError(`at <${path}.${field}>: nil pointer evaluating interface {}.${field}`, pos);
      } else {
        throw new TemplateError(
          `at <${path}.${field}>: can't evaluate field ${field} in type ${typeName(value)}`,
          pos,
        );
      }
      path = `${path}.${field}`;
    }
    return value;
  }
}

function findVar(vars: Variable[], name: string): Variable | undefined {
  for (let i = vars.length - 1; i >= 0; i--) if (vars[i]?.name === name) return vars[i];
  return undefined;
}

function describeOperand(op: Operand): string {
  switch (op.type) {
    case 'identifier':
      return op.name;
    case 'variable':
      return op.name;
    case 'dot':
      return '.';
    case 'pipeline':
      return '(…)';
    case 'string':
      return JSON.stringify(op.value);
    case 'number':
      return op.text;
    default:
      return op.type;
  }
}

/** Functions whose result is about as long as their arguments together: measured before they run. */
const CONCATENATING = new Set(['print', 'println', 'printf', 'cat', 'quote', 'squote', 'join', 'toString']);

function concatenatedLength(args: Value[]): number {
  let total = 0;
  for (const a of args) {
    if (typeof a === 'string') total += a.length;
    else if (Array.isArray(a)) for (const x of a) total += typeof x === 'string' ? x.length + 1 : 24;
    else total += 24;
  }
  return total;
}
