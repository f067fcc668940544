// Evaluates Flux's `${var…}` substitution over a text with a variable set; strict mode turns an unset
// variable into an error, as kustomize-controller does by default since v1.9.0.
import type { Node } from './ast.ts';
import { byteLength, changeCase, replace, substring, trim } from './functions.ts';
import { parse } from './parse.ts';
import { SubstitutionError } from './substitution-error.ts';

export { SubstitutionError };

export interface EvaluateOptions {
  strict: boolean;
}

export function evaluate(input: string, vars: ReadonlyMap<string, string>, options: EvaluateOptions): string {
  return render(parse(input), vars, options);
}

function render(nodes: Node[], vars: ReadonlyMap<string, string>, options: EvaluateOptions): string {
  let out = '';
  for (const node of nodes) {
    out += node.type === 'text' ? node.text : expand(node, vars, options);
  }
  return out;
}

function expand(
  node: Extract<Node, { type: 'variable' }>,
  vars: ReadonlyMap<string, string>,
  options: EvaluateOptions,
): string {
  const { name, operator } = node;
  const value = vars.get(name);
  if (operator.op === 'default') {
    // All eight default operators behave alike: the value when non-empty, else the word. Never an error.
    return value ? value : render(operator.word, vars, options);
  }
  if (value === undefined && options.strict) {
    throw new SubstitutionError(`variable not set (strict mode): "${name}"`);
  }
  const v = value ?? '';
  switch (operator.op) {
    case 'value':
      return v;
    case 'length':
      return String(byteLength(v));
    case 'case':
      return changeCase(v, operator.mode);
    case 'substring':
      return substring(v, operator.args);
    case 'replace':
      return replace(v, operator.mode, operator.pattern, operator.replacement);
    case 'trim':
      return trim(v, operator.mode, operator.glob);
  }
}
