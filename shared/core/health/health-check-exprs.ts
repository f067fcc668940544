// spec.healthCheckExprs (Flux 2.5+): per API group, optionally per kind, CEL expressions saying when a custom
// resource is current, in progress or failed. Checked when the Kustomization is decoded; compiled for the wait.
// The puller loads this module (and the CEL library) only for a target that has expressions (health-check-rules.ts).
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { SluiceError } from '../errors.ts';
import { groupKindKey, groupOf } from './group-kind.ts';
import type {
  CompiledExpr,
  CompiledHealthCheck,
  ExprIssue,
  HealthCheckExpr,
  HealthCheckRules,
} from './health-check-rules.ts';

export type { CompiledExpr, CompiledHealthCheck, ExprIssue, HealthCheckExpr, HealthCheckRules };

// Objects are not typed (CRDs do not all follow apiVersion/kind/metadata/spec/status), so every top-level
// field is a dynamic variable, as in Flux, which parses without declaring variables.
const environment = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: true,
  enableOptionalTypes: true,
});

const KEYS = ['current', 'inProgress', 'failed'] as const;

/**
 * Comprehensions nested deeper than this are refused: evaluation is synchronous, so `a.all(x, b.all(y,
 * c.all(z, …)))` over lists of thousands would stall the whole puller, not just this target's wait.
 */
export const MAX_COMPREHENSION_NESTING = 2;
const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** How deeply comprehension macros nest in a parsed expression. */
function comprehensionNesting(node: unknown): number {
  if (Array.isArray(node)) return Math.max(0, ...node.map(comprehensionNesting));
  if (typeof node !== 'object' || node === null) return 0;
  const { op, args } = node as { op?: unknown; args?: unknown };
  const inner = comprehensionNesting(args);
  const isComprehension = op === 'rcall' && Array.isArray(args) && COMPREHENSIONS.has(String(args[0]));
  return isComprehension ? inner + 1 : inner;
}

function firstLine(err: unknown): string {
  const e = err as { summary?: unknown; message?: unknown };
  const text = typeof e.summary === 'string' ? e.summary : String(e.message ?? err);
  return text.split('\n')[0] ?? text;
}

/** Parses and type-checks one expression: a syntax error, an unknown function or a non-bool result is refused. */
function compile(source: string): CompiledExpr | string {
  let run: ParseResult;
  try {
    run = environment.parse(source);
  } catch (err) {
    return `invalid CEL expression '${source}': ${firstLine(err)}`;
  }
  const nesting = comprehensionNesting(run.ast);
  if (nesting > MAX_COMPREHENSION_NESTING)
    return `CEL expression '${source}' nests comprehensions ${nesting} deep; at most ${MAX_COMPREHENSION_NESTING} are allowed`;
  const checked = environment.check(source);
  if (!checked.valid) return `invalid CEL expression '${source}': ${firstLine(checked.error)}`;
  if (checked.type !== 'bool' && checked.type !== 'dyn')
    return `CEL expression '${source}' must evaluate to a bool, not ${checked.type}`;
  return { source, run };
}

function compileAll(exprs: readonly HealthCheckExpr[], path: string) {
  const issues: ExprIssue[] = [];
  const rules: HealthCheckRules = { byKind: new Map(), byGroup: new Map() };
  exprs.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    const group = groupOf(entry.apiVersion);
    const key = entry.kind ? groupKindKey(group, entry.kind) : group;
    const table = entry.kind ? rules.byKind : rules.byGroup;
    if (table.has(key))
      issues.push({
        field: at,
        problem: `duplicate custom health check for ${entry.kind ? `GroupKind ${key}` : `group ${group || '(core)'}`}`,
      });
    if (!entry.current) issues.push({ field: `${at}.current`, problem: 'is required' });
    const compiled: Partial<CompiledHealthCheck> = {};
    for (const name of KEYS) {
      const source = entry[name];
      if (!source) continue;
      const result = compile(source);
      if (typeof result === 'string') issues.push({ field: `${at}.${name}`, problem: result });
      else compiled[name] = result;
    }
    if (compiled.current) table.set(key, compiled as CompiledHealthCheck);
  });
  return { issues, rules };
}

/** Every problem of `exprs`, each naming its field (`spec.healthCheckExprs[0].current`) and the expression. */
export function checkHealthCheckExprs(
  exprs: readonly HealthCheckExpr[],
  path = 'spec.healthCheckExprs',
): ExprIssue[] {
  return compileAll(exprs, path).issues;
}

/** Compiles expressions already checked at decode time; a problem left is refused as ValidationFailed. */
export function compileHealthCheckExprs(
  exprs: readonly HealthCheckExpr[],
  path = 'spec.healthCheckExprs',
): HealthCheckRules {
  const { issues, rules } = compileAll(exprs, path);
  const first = issues[0];
  if (first)
    throw new SluiceError('ValidationFailed', `${first.field}: ${first.problem}`, { field: first.field });
  return rules;
}
