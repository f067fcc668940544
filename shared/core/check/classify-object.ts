// One verdict for one Flux object: what the render did with it (FluxObjectFound) and what became of it
// afterwards (its render or fetch, known only once the pipeline is quiet), in a fixed order of precedence.
import type { CheckedObject } from './check-report.ts';
import type { FluxObjectFound } from './flux-object-found.ts';
import { unsupportedKindReason } from './unsupported-kind-reason.ts';

export interface ObjectOutcome {
  /** Sluice will not act on it, and why (overrides the reason of its kind). */
  unsupported?: string;
  /** It could not be rendered or fetched here, and why; `unsupported` when the failure was a refusal. */
  failure?: { message: string; unsupported?: boolean };
  /** Differences known only from its record or render (not from its manifest). */
  differences?: readonly string[];
  /** Said but no difference (suspended, the fleet root). */
  notes?: readonly string[];
}

/**
 * Unsupported (skipped or shipped as a plain object, or refused) before error (a failed render or fetch),
 * before different (delivered, but not all of it as Flux would), before delivered.
 */
export function classifyObject(found: FluxObjectFound, outcome: ObjectOutcome = {}): CheckedObject {
  const at = { kind: found.kind, namespace: found.namespace, name: found.name, file: found.file };
  if (outcome.unsupported) return { ...at, verdict: 'unsupported', reason: outcome.unsupported };
  if (found.handling === 'skipped' || found.handling === 'shipped') {
    const shipped =
      found.handling === 'shipped'
        ? '; it is applied to the cluster as a plain object, and nothing acts on it'
        : '';
    return {
      ...at,
      verdict: 'unsupported',
      reason: `${unsupportedKindReason(found.apiVersion, found.kind, found.skippedBecause)}${shipped}`,
    };
  }
  if (found.failure) return { ...at, verdict: 'error', reason: found.failure };
  if (outcome.failure) {
    return {
      ...at,
      verdict: outcome.failure.unsupported ? 'unsupported' : 'error',
      reason: withoutPlace(outcome.failure.message, found),
    };
  }
  const differences = [...new Set([...found.differences, ...(outcome.differences ?? [])])];
  if (differences.length > 0) return { ...at, verdict: 'different', reason: differences.join('; ') };
  return { ...at, verdict: 'delivered', reason: [...found.notes, ...(outcome.notes ?? [])].join('; ') };
}

/** Status messages start with the file and the object (`clusters/dev/apps.yaml: Kustomization/ns/name: …`): the report has both in columns. */
function withoutPlace(message: string, found: FluxObjectFound): string {
  let rest = message;
  if (found.file && rest.startsWith(`${found.file}: `)) rest = rest.slice(found.file.length + 2);
  const ref = `${found.kind}/${found.namespace}/${found.name}`;
  if (rest.startsWith(`${ref}: `)) rest = rest.slice(ref.length + 2);
  // A source's fetch error names it with its cluster: `GitRepository/ns/name (cluster dev): …`.
  else if (rest.startsWith(`${ref} (cluster `) && rest.includes('): '))
    rest = rest.slice(rest.indexOf('): ') + 3);
  // The control plane retries; the check reports the first failure and stops.
  return rest.replace(/; will retry$/, '');
}
