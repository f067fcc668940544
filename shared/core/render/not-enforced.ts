// The Kustomization fields Sluice decodes but does not (fully) carry out yet, as render status warnings:
// a fleet that relies on them is told so in `sluice status`, instead of the field being silently ignored.
import type { KustomizationSpec } from '../../api/kustomization.ts';

export function notEnforcedWarnings(spec: KustomizationSpec): string[] {
  const warnings: string[] = [];
  if (spec.wait)
    warnings.push(
      'spec.wait: not enforced yet: objects are applied without waiting for readiness (only CRDs and Namespaces are waited for); Ready means applied',
    );
  if (spec.healthChecks?.length)
    warnings.push(
      `spec.healthChecks: not enforced yet: the ${spec.healthChecks.length === 1 ? 'object listed is' : `${spec.healthChecks.length} objects listed are`} not checked for readiness after the apply; Ready means applied`,
    );
  if (spec.retryIntervalMs !== undefined)
    warnings.push(
      "spec.retryInterval: not enforced yet: a failed apply is retried on the puller's next full reconcile (its own interval), a failed render by the queue's retry policy",
    );
  // spec.timeout needs no warning: the puller bounds the apply and the wait for CRDs and Namespaces by it,
  // which is all the waiting it does; it would bound readiness checks too once wait/healthChecks exist.
  return warnings;
}
