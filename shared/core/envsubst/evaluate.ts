// Evaluates Flux's `${var…}` substitution over a text. Strict mode (kustomize-controller's default since
// v1.9.0) fails on an unset variable unless a default operator supplies the fallback; arguments (nested
// references included) are evaluated first, so a nested unset variable fails even when unused.
import type { Node } from './ast.ts';
import { isDefaultOperator, lookupFunction } from './functions.ts';
import { parse } from './parse.ts';
import { SubstitutionError } from './substitution-error.ts';

export { SubstitutionError };

export interface EvaluateOptions {
  strict: boolean;
}

export function evaluate(input: string, vars: ReadonlyMap<string, string>, options: EvaluateOptions): string {
  return render(parse(input), vars, options.strict);
}

function render(node: Node, vars: ReadonlyMap<string, string>, strict: boolean): string {
  switch (node.type) {
    case 'text':
      return node.value;
    case 'list':
      return node.nodes.map((n) => render(n, vars, strict)).join('');
    case 'func': {
      const args = node.args.map((n) => render(n, vars, strict));
      const value = vars.get(node.param);
      if (value === undefined && strict && !isDefaultOperator(node.name)) {
        throw new SubstitutionError(`variable not set (strict mode): "${node.param}"`, {
          unsetVariable: node.param,
        });
      }
      return lookupFunction(node.name, args.length)(value ?? '', args);
    }
  }
}
