// Use-case step of a render: a cluster's root renders as its fleet declares it. After the first render the
// root's own gotk-sync objects or FluxInstance (adopt-root.ts) may change it; then it renders once more.
import type { Kustomization } from '../api/kustomization.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import { adoptRoot, type RootAdoption } from '../core/fleet/adopt-root.ts';
import type { FetchSpec, KustomizationRecord } from '../core/pipeline/records.ts';
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

/** Plans (unless given the plan) and renders a record from the verified snapshot. */
type RenderAs = (
  record: TargetRecord,
  plan?: RenderPlan,
) => Promise<{ plan: RenderPlan; output: RenderOutput }>;

export async function renderAdopting(
  deps: PipelineDeps,
  given: { record: TargetRecord; plan: RenderPlan },
  fleet: FetchSpec | undefined,
  renderAs: RenderAs,
): Promise<RootRender> {
  const ks = asKustomizationRecord(given.record);
  // Only a root (no parent): a child's own gotk-sync-like objects are its business, split as usual.
  if (!ks || ks.parent !== null) {
    const { output } = await renderAs(given.record, given.plan);
    return { ...given, output, warnings: [] };
  }
  const adopt = (kustomization: Kustomization, output: RenderOutput) =>
    adoptRoot({
      configured: kustomization,
      objects: output.objects,
      fleet: { url: fleet?.url ?? '', branch: fleet?.ref?.branch },
      variables: deps.settings.clusterRoots?.[ks.cluster]?.variables ?? {},
    });
  const remembered = await renderRemembered(ks, renderAs, adopt);
  if (remembered) return remembered;
  let adoption: RootAdoption;
  try {
    const first = await renderAs(given.record, given.plan);
    adoption = adopt(ks.kustomization, first.output);
    if (!adoption.kustomization)
      return {
        ...given,
        output: { ...first.output, objects: adoption.objects },
        warnings: adoption.warnings,
      };
  } catch (err) {
    // A root that renders only as its fleet declares it (SOPS files and the decryption a patch adds): its
    // declaration is read from <path>/flux-system alone, built as Flux builds it, patches applied.
    const declared = await renderAs(declarationOnly(ks)).catch(() => undefined);
    const found = declared && adopt(ks.kustomization, declared.output);
    if (!found?.kustomization) throw err;
    adoption = found;
  }
  return renderAdopted(deps, ks, adoption, renderAs, adopt);
}

async function renderAdopted(
  deps: PipelineDeps,
  ks: KustomizationRecord,
  adoption: RootAdoption,
  renderAs: RenderAs,
  adopt: (kustomization: Kustomization, output: RenderOutput) => RootAdoption,
): Promise<RootRender> {
  const adopted = adoption.kustomization ?? ks.kustomization;
  const record = { ...ks, kustomization: adopted };
  const again = await renderAs(record);
  // Once: what the adopted root renders is this cluster's root, even if it declares yet another.
  const settled = adopt(adopted, again.output);
  lastAdopted.set(memoKey(ks), { configured: canonicalJson(ks.kustomization), adopted });
  deps.log.info('fleet root read from the fleet', {
    cluster: ks.cluster,
    from: adoption.readFrom ?? '',
    path: adopted.spec.path ?? '',
  });
  return {
    record,
    plan: again.plan,
    output: { ...again.output, objects: settled.objects },
    warnings: [...new Set([...adoption.warnings, ...settled.warnings])],
  };
}

/**
 * The root as last adopted in this process, for the same configured root: rendered first, it is usually
 * what the fleet still declares (then one render, not two or three). Anything else goes the long way.
 */
const lastAdopted = new Map<string, { configured: string; adopted: Kustomization }>();
const memoKey = (ks: KustomizationRecord) =>
  `${ks.cluster}/${ks.kustomization.metadata.namespace}/${ks.kustomization.metadata.name}`;

async function renderRemembered(
  ks: KustomizationRecord,
  renderAs: RenderAs,
  adopt: (kustomization: Kustomization, output: RenderOutput) => RootAdoption,
): Promise<RootRender | undefined> {
  const memo = lastAdopted.get(memoKey(ks));
  if (!memo || memo.configured !== canonicalJson(ks.kustomization)) return undefined;
  const record = { ...ks, kustomization: memo.adopted };
  const rendered = await renderAs(record).catch(() => undefined);
  if (!rendered) return undefined;
  const settled = adopt(memo.adopted, rendered.output);
  if (settled.kustomization || !settled.readFrom) return undefined;
  return {
    record,
    plan: rendered.plan,
    output: { ...rendered.output, objects: settled.objects },
    warnings: settled.warnings,
  };
}

/** The root's flux-system directory with nothing the root's own fields would do to it. */
function declarationOnly(ks: KustomizationRecord): KustomizationRecord {
  const { postBuild: _p, decryption: _d, ...spec } = ks.kustomization.spec;
  return {
    ...ks,
    kustomization: { ...ks.kustomization, spec: { ...spec, path: `${spec.path ?? '.'}/flux-system` } },
  };
}
