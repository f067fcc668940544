// The functions a ResourceSet template may call: Go's builtins, the slim-sprig set the operator registers
// (hermetic: no clock, randomness, environment or network), and the operator's own slugify, toYaml, inputs.
import { toYaml } from '../render/yaml-codec.ts';
import { closestMatch } from '../text/closest-match.ts';
import { arity, checked, str } from './function-args.ts';
import { builtinFunctions } from './functions-builtin.ts';
import { collectionFunctions } from './functions-collections.ts';
import { stringFunctions } from './functions-strings.ts';
import { valueFunctions } from './functions-values.ts';
import { slugify } from './slugify.ts';
import type { Node, Operand, Pipeline } from './template-ast.ts';
import { TemplateError } from './template-error.ts';
import type { TemplateFunction } from './template-evaluator.ts';
import { isNil, type Value } from './template-values.ts';

/** sigs.k8s.io/yaml.Marshal, as the operator's toYaml: a nil value is `null`. */
function yamlOf(v: Value): string {
  return isNil(v) ? 'null\n' : toYaml(v);
}

const operatorFunctions: Record<string, TemplateFunction> = {
  slugify: checked(1, 1, (args) => slugify(str(args[0]))),
  toYaml: (args, ctx) => {
    arity('toYaml', args, 1);
    const text = yamlOf(args[0]);
    ctx.checkSize(text.length);
    return text;
  },
  mustToYaml: checked(1, 1, (args) => yamlOf(args[0])),
};

const FUNCTIONS: ReadonlyMap<string, TemplateFunction> = new Map(
  Object.entries({
    ...builtinFunctions,
    ...stringFunctions,
    ...valueFunctions,
    ...collectionFunctions,
    ...operatorFunctions,
  }),
);

/**
 * Functions the operator offers that Sluice does not evaluate: randInt (not repeatable), Go regular expressions (RE2; a
 * JavaScript engine would both differ and backtrack on hostile patterns), dates, URLs and `call`/escapers.
 */
export const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set([
  'regexMatch',
  'mustRegexMatch',
  'regexFindAll',
  'mustRegexFindAll',
  'regexFind',
  'mustRegexFind',
  'regexReplaceAll',
  'mustRegexReplaceAll',
  'regexReplaceAllLiteral',
  'mustRegexReplaceAllLiteral',
  'regexSplit',
  'mustRegexSplit',
  'regexQuoteMeta',
  'ago',
  'duration',
  'durationRound',
  'toDate',
  'mustToDate',
  'unixEpoch',
  'mustDateModify',
  'randInt',
  'must_date_modify',
  'urlParse',
  'urlJoin',
  'b32dec',
  'call',
  'html',
  'js',
  'urlquery',
]);

/** Every function name a template may use here (builtins, sprig, operator's, and `inputs`, `and`, `or`). */
export const SUPPORTED_FUNCTIONS: readonly string[] = [...FUNCTIONS.keys(), 'inputs', 'and', 'or'].sort();

/** The function table of one execution: `inputs` returns this input set (nil when there are none). */
export function functionsFor(
  inputSet: Record<string, unknown> | null,
): ReadonlyMap<string, TemplateFunction> {
  const table = new Map(FUNCTIONS);
  // No input sets: the operator passes a nil map, which reads as an empty one.
  const value = inputSet ?? {};
  table.set(
    'inputs',
    checked(0, 0, () => value),
  );
  return table;
}

/** Go rejects a call to an undefined function when parsing, even in a branch that never runs. */
export function checkFunctionNames(nodes: Node[]): void {
  const known = new Set(SUPPORTED_FUNCTIONS);
  const visitOperand = (op: Operand): void => {
    if (op.type === 'identifier' && !known.has(op.name)) {
      if (UNSUPPORTED_FUNCTIONS.has(op.name)) {
        throw new TemplateError(
          `function "${op.name}" is not supported by Sluice yet (the operator offers it; Sluice does not evaluate it)`,
          op.pos,
        );
      }
      const hint = closestMatch(op.name, SUPPORTED_FUNCTIONS);
      throw new TemplateError(
        `function "${op.name}" not defined${hint ? ` (did you mean "${hint}"?)` : ''}`,
        op.pos,
      );
    }
    if (op.type === 'pipeline') visitPipe(op.pipe);
    if (op.type === 'chain') visitOperand(op.node);
  };
  const visitPipe = (pipe: Pipeline): void => {
    for (const cmd of pipe.cmds) for (const arg of cmd.args) visitOperand(arg);
  };
  const visit = (list: Node[] | undefined): void => {
    for (const node of list ?? []) {
      if (node.type === 'action') visitPipe(node.pipe);
      else if (node.type === 'if' || node.type === 'with') {
        visitPipe(node.pipe);
        visit(node.body);
        visit(node.else);
      } else if (node.type === 'range') {
        visitPipe(node.pipe);
        visit(node.body);
        visit(node.else);
      }
    }
  };
  visit(nodes);
}
