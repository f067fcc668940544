// One template run: checks its length, parses it, rejects unknown functions, and executes it for one input
// set within the ResourceSet's shared step and output budget.
import type { ResourceSetLimits } from './limits.ts';
import type { Node } from './template-ast.ts';
import { TemplateError } from './template-error.ts';
import { type Budget, execute } from './template-evaluator.ts';
import { checkFunctionNames, functionsFor } from './template-functions.ts';
import { parseTemplate } from './template-parser.ts';

export interface CompiledTemplate {
  nodes: Node[];
}

export function compileTemplate(source: string, limits: ResourceSetLimits): CompiledTemplate {
  if (source.length > limits.maxTemplateLength) {
    throw new TemplateError(
      `the template is ${source.length} characters, more than the limit of ${limits.maxTemplateLength}`,
      { line: 1, column: 1 },
      true,
    );
  }
  const nodes = parseTemplate(source, limits.maxNestingDepth);
  checkFunctionNames(nodes);
  return { nodes };
}

export function runTemplate(
  template: CompiledTemplate,
  inputSet: Record<string, unknown> | null,
  budget: Budget,
): string {
  try {
    return execute(template.nodes, functionsFor(inputSet), budget);
  } catch (err) {
    // Nesting too deep for the stack, or a string past the engine's maximum: a bound, not a crash.
    if (err instanceof RangeError) {
      throw new TemplateError(
        `the template exceeds an engine bound (${err.message})`,
        { line: 0, column: 0 },
        true,
      );
    }
    throw err;
  }
}

export function newBudget(limits: ResourceSetLimits): Budget {
  return {
    steps: 0,
    maxSteps: limits.maxSteps,
    maxOutputLength: limits.maxOutputLength,
    maxListLength: limits.maxListLength,
  };
}
