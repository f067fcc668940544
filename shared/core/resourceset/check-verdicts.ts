// `sluice check`'s verdict for every ResourceSet and ResourceSetInputProvider of one render output: each
// ResourceSet expanded on its own, so one that fails to expand is an `error` without hiding the others.
import { SluiceError } from '../errors.ts';
import { takeSourceFile } from '../render/source-file.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import { expandResourceSets, isResourceSetKind, type ResourceSetReport } from './expand-resource-sets.ts';
import { isMap } from './template-values.ts';

/**
 * ResourceSet → `delivered` (expanded, nothing done differently), `different` (expanded, with what Sluice does
 * not do: dependsOn, serviceAccountName, wait, steps, cluster reads; or paused), `unsupported` (a provider that
 * is not Static, named), `error` (a provider not in the render, or a template or spec error, with its message).
 * ResourceSetInputProvider → `delivered` for Static, `unsupported` for every other type.
 */
export function resourceSetVerdicts(objects: readonly KubeObject[], renderedBy: string): ResourceSetReport[] {
  const providers = objects.filter((o) => isResourceSetKind(o) === 'ResourceSetInputProvider');
  const reports: ResourceSetReport[] = [];
  objects.forEach((obj, document) => {
    if (isResourceSetKind(obj) !== 'ResourceSet') return;
    try {
      reports.push(
        ...expandResourceSets([obj, ...providers], renderedBy).reports.filter(
          (r) => r.kind === 'ResourceSet',
        ),
      );
    } catch (err) {
      if (!(err instanceof SluiceError)) throw err;
      const meta = (isMap(obj.metadata) ? obj.metadata : {}) as Record<string, unknown>;
      reports.push({
        kind: 'ResourceSet',
        namespace: String(meta.namespace ?? ''),
        name: String(meta.name ?? ''),
        file: takeSourceFile(obj).file ?? `output of ${renderedBy}, document ${document + 1}`,
        verdict: 'error',
        reason: err.message,
      });
    }
  });
  if (providers.length > 0) {
    // Provider verdicts depend on their type only; expanding them alone reports each once.
    try {
      reports.push(...expandResourceSets(providers, renderedBy).reports);
    } catch (err) {
      if (!(err instanceof SluiceError)) throw err;
    }
  }
  return reports;
}
