// The rules of spec.healthCheckExprs once compiled, and which one applies to an object. Apart from the
// compiler (health-check-exprs.ts) so that the puller's health checks do not load the CEL library: it is
// loaded when a target has expressions to compile, which most never have.
import type { ParseResult } from '@marcbachmann/cel-js';
import { groupKindKey, groupOf } from './group-kind.ts';

/** Flux's kustomize.CustomHealthCheck. */
export interface HealthCheckExpr {
  apiVersion: string;
  kind?: string;
  current: string;
  inProgress?: string;
  failed?: string;
}

export interface ExprIssue {
  field: string;
  problem: string;
}

export interface CompiledExpr {
  source: string;
  /** The parsed expression (cel-js's ParseResult); called with the object's fields as variables. */
  run: ParseResult;
}

/** One entry, ready to evaluate; `inProgress` and `failed` are optional as in Flux. */
export interface CompiledHealthCheck {
  current: CompiledExpr;
  inProgress?: CompiledExpr;
  failed?: CompiledExpr;
}

/** Compiled entries by `group/Kind`, and group-only entries (no kind) by group. */
export interface HealthCheckRules {
  byKind: Map<string, CompiledHealthCheck>;
  byGroup: Map<string, CompiledHealthCheck>;
}

/** The entry for this object's kind, else its group's, else none (as Flux: kind beats group). */
export function healthCheckFor(
  rules: HealthCheckRules,
  apiVersion: string,
  kind: string,
): CompiledHealthCheck | undefined {
  const group = groupOf(apiVersion);
  return rules.byKind.get(groupKindKey(group, kind)) ?? rules.byGroup.get(group);
}
