// Flux's CEL status evaluator (RFC 0009): an unobserved generation is InProgress; then the inProgress,
// failed and current expressions in that order, the first true one deciding; none true is InProgress.
import type { KubeObject } from '../render/yaml-codec.ts';
import type { CompiledExpr, CompiledHealthCheck } from './health-check-rules.ts';
import { failed, type HealthResult, inProgress } from './health-result.ts';
import { rfc3339 } from './object-fields.ts';

/**
 * The object as Flux hands it to CEL (Go's unstructured form): JSON integers as CEL ints, so `status.replicas + 1`
 * type-checks, and timestamps as strings even where the client library made them Dates.
 */
function celValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (value instanceof Date) return rfc3339(value);
  if (Array.isArray(value)) return value.map(celValue);
  if (typeof value === 'object' && value !== null)
    // Fields a client library left undefined are absent, so `has()` answers as it would in Flux.
    return Object.fromEntries(
      Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, celValue(v)]])),
    );
  return value;
}

/**
 * A failed evaluation is named by its error code only (`no such key`, `int conversion error`): the library's
 * text can quote the object's values, and the object may be a Secret whose data must never reach a status.
 */
function evaluate(expr: CompiledExpr, context: Record<string, unknown>): boolean | string {
  try {
    const result = expr.run(context);
    if (typeof result === 'boolean') return result;
    return `failed to evaluate CEL expression as boolean: '${expr.source}'`;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const what = typeof code === 'string' && /^[a-z_]+$/.test(code) ? code.replaceAll('_', ' ') : 'error';
    return `failed to evaluate the CEL expression '${expr.source}': ${what}`;
  }
}

export function celStatus(check: CompiledHealthCheck, obj: KubeObject): HealthResult {
  // Only integer generations count: some CRDs type observedGeneration as a string, and Flux then relies on
  // the expressions alone.
  const status = obj.status as Record<string, unknown> | undefined;
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  const observed = status?.observedGeneration;
  const generation = metadata?.generation;
  if (Number.isInteger(observed) && Number.isInteger(generation) && observed !== generation)
    return inProgress(
      'LatestGenerationNotObserved',
      `${String(obj.kind ?? '')} generation is ${generation}, but latest observed generation is ${observed}`,
    );
  const context = celValue(obj) as Record<string, unknown>;
  const steps: [CompiledExpr | undefined, (source: string) => HealthResult][] = [
    [
      check.inProgress,
      (s) => inProgress('HealthCheckInProgress', `healthCheckExprs inProgress is true: ${s}`),
    ],
    [check.failed, (s) => failed('HealthCheckFailed', `healthCheckExprs failed is true: ${s}`)],
    [check.current, () => ({ status: 'Current', message: 'healthCheckExprs current is true' })],
  ];
  for (const [expr, verdict] of steps) {
    if (!expr) continue;
    const result = evaluate(expr, context);
    if (typeof result === 'string') return { status: 'Unknown', message: result };
    if (result) return verdict(expr.source);
  }
  return inProgress('HealthCheckNotCurrent', 'no healthCheckExprs expression is true yet');
}
