// Use-case step of a render: a cluster's root renders as its fleet declares it. After the first render the
// root's own gotk-sync objects or FluxInstance (adopt-root.ts) may change it; then it renders once more.
import { adoptRoot } from '../core/fleet/adopt-root.ts';
import type { FetchSpec } from '../core/pipeline/records.ts';
import { asKustomizationRecord } from '../core/pipeline/target-record.ts';
import type { RenderOutput, RenderPlan, TargetRecord } from '../ports/renderer.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export interface RootRender {
  record: TargetRecord;
  plan: RenderPlan;
  output: RenderOutput;
  /** What the fleet's declaration of the root changed or could not carry out, for the root's status. */
  warnings: string[];
}

export async function adoptFleetRoot(
  deps: PipelineDeps,
  first: RootRender,
  fleet: FetchSpec | undefined,
  renderAgain: (record: TargetRecord) => Promise<{ plan: RenderPlan; output: RenderOutput }>,
): Promise<RootRender> {
  const ks = asKustomizationRecord(first.record);
  // Only a root (no parent): a child's own gotk-sync-like objects are its business, split as usual.
  if (!ks || ks.parent !== null) return first;
  const adopt = (kustomization: typeof ks.kustomization, output: RenderOutput) =>
    adoptRoot({
      configured: kustomization,
      objects: output.objects,
      fleet: { url: fleet?.url ?? '', branch: fleet?.ref?.branch },
      variables: deps.settings.clusterRoots?.[ks.cluster]?.variables ?? {},
    });
  const adoption = adopt(ks.kustomization, first.output);
  if (!adoption.kustomization)
    return { ...first, output: { ...first.output, objects: adoption.objects }, warnings: adoption.warnings };
  const record = { ...ks, kustomization: adoption.kustomization };
  const again = await renderAgain(record);
  // Once: what the adopted root renders is this cluster's root, even if it declares yet another.
  const settled = adopt(adoption.kustomization, again.output);
  deps.log.info('fleet root read from the fleet', {
    cluster: ks.cluster,
    from: adoption.readFrom ?? '',
    path: adoption.kustomization.spec.path ?? '',
  });
  return {
    record,
    plan: again.plan,
    output: { ...again.output, objects: settled.objects },
    warnings: [...new Set([...adoption.warnings, ...settled.warnings])],
  };
}
