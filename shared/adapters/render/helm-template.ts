// One HelmRelease rendered as helm-controller builds its manifest: the real `helm template` with the
// release's name, namespace, values, options and the cluster's capabilities, then Flux's post-renderers,
// then split as Helm splits a release: CRDs from crds/, hooks (test hooks dropped), the release's objects
// with the ownership metadata `helm install` adds.
import { tmpdir } from 'node:os';
import { SluiceError } from '../../core/errors.ts';
import { clusterScopedCrdKinds } from '../../core/helm/cluster-scoped-kinds.ts';
import { hookKind } from '../../core/helm/helm-hooks.ts';
import { type HelmDocument, splitHelmOutput } from '../../core/helm/helm-output.ts';
import { flattenLists, inReleaseNamespace, withOwnership } from '../../core/helm/helm-ownership.ts';
import { FROM_CRDS_DIR } from '../../core/helm/helm-release-apply.ts';
import { sortByInstallOrder } from '../../core/helm/install-order.ts';
import { parseBlockYaml } from '../../core/render/yaml-block-fast.ts';
import { type KubeObject, parseYaml11, toYaml } from '../../core/render/yaml-codec.ts';
import type { HelmRunner } from '../../ports/helm-runner.ts';
import type { HelmTemplateInput, HelmTemplateOutput } from '../../ports/helm-template.ts';
import type { KustomizeRunner } from '../../ports/kustomize-runner.ts';
import { ConfinedHelm } from './confined-helm.ts';
import { ConfinedProcess, type SandboxPreference, type ToolLimits } from './confined-process.ts';
import { applyPostRenderers, type HelmPostRenderer } from './helm-post-render.ts';
import { KubectlKustomize } from './kubectl-kustomize.ts';
import { readChartMeta } from './locate-chart.ts';
import { resolveToolPath } from './tool-paths.ts';

export type { HelmPostRenderer } from './helm-post-render.ts';
export { applyPostRenderers } from './helm-post-render.ts';
export { locateChart } from './locate-chart.ts';

/** The port's input; post-renderers optional here (none by default), plus how local tools are confined. */
export interface HelmTemplateRequest extends Omit<HelmTemplateInput, 'postRenderers'> {
  /** spec.postRenderers, applied to templates and hooks together (Helm 4's combined strategy, Flux's default). */
  postRenderers?: readonly HelmPostRenderer[];
  /** Used when no runners are given: how the local tools are confined. */
  sandbox?: SandboxPreference;
  limits?: Partial<ToolLimits>;
  scratchDir?: string;
}

/** The port's output: manifests, hooks, CRDs from crds/, chart metadata and the manifest Helm stores. */
export type HelmTemplateResult = HelmTemplateOutput;

export interface HelmTemplateDeps {
  helm: HelmRunner;
  kustomize: KustomizeRunner;
  scratchDir: string;
}

/** Local runners confined as the request asks. */
export function localHelmTemplateDeps(req: Pick<HelmTemplateRequest, 'sandbox' | 'limits' | 'scratchDir'>) {
  const confined = new ConfinedProcess(req.sandbox ?? 'auto');
  const scratchDir = req.scratchDir ?? tmpdir();
  const opts = { confined, ...(req.limits && { limits: req.limits }) };
  return {
    helm: new ConfinedHelm(resolveToolPath('helm'), { ...opts, scratchDir }),
    kustomize: new KubectlKustomize(resolveToolPath('kubectl'), opts),
    scratchDir,
  } satisfies HelmTemplateDeps;
}

interface Rendered {
  source: string;
  object: KubeObject | null;
  raw: string;
}

const FILENAME = 'postrenderer.helm.sh/postrender-filename';

export async function renderHelmTemplate(
  req: HelmTemplateRequest,
  deps: HelmTemplateDeps = localHelmTemplateDeps(req),
): Promise<HelmTemplateResult> {
  // Helm keeps API versions as a set; sorted and unique, equal render keys give equal output.
  const capabilities = {
    kubeVersion: req.capabilities.kubeVersion,
    apiVersions: [...new Set(req.capabilities.apiVersions)].sort(),
  };
  const [chart, text] = await Promise.all([
    readChartMeta(req.chartPath),
    deps.helm.template({ ...req, capabilities }),
  ]);
  const docs = splitHelmOutput(text).map(parseDocument);
  const crdDocs = docs.filter((d) => d.fromCrdsDir);
  let rendered: Rendered[] = docs.filter((d) => !d.fromCrdsDir);
  const postRenderers = req.postRenderers ?? [];
  if (postRenderers.some((p) => p.patches.length > 0 || p.images.length > 0))
    rendered = await postRender(rendered, postRenderers, {
      kustomize: deps.kustomize,
      scratchDir: deps.scratchDir,
    });

  const released = rendered.filter((r) => r.object === null || hookKind(r.object) === 'none');
  const crdObjects = objectsOf(crdDocs);
  const scopes = clusterScopedCrdKinds([...crdObjects, ...objectsOf(rendered)]);
  const place = (obj: KubeObject) => inReleaseNamespace(obj, req.namespace, scopes);
  const release = { releaseName: req.releaseName, namespace: req.namespace };
  return {
    manifests: flattenLists(objectsOf(released)).map((o) => withOwnership(place(o), release)),
    hooks: flattenLists(objectsOf(rendered).filter((o) => hookKind(o) === 'hook')).map(place),
    crds: flattenLists(crdObjects).map((o) => annotate(place(o), FROM_CRDS_DIR, 'true')),
    chart,
    manifestText: released.map((r) => `---\n${r.raw}`).join(''),
  };
}

function parseDocument(doc: HelmDocument): Rendered & { fromCrdsDir: boolean } {
  // Most of helm's output is plain block YAML, read exactly and several times faster by parseBlockYaml;
  // whatever it does not know (anchors, folded scalars, …) goes to the yaml package, as do all errors.
  const parsed = parseBlockYaml(doc.text) ?? parseYaml11(doc.text);
  if ('error' in parsed)
    throw new SluiceError(
      'InvalidManifest',
      `${doc.source}: helm rendered YAML that does not parse: ${parsed.error}`,
      {
        file: doc.source,
      },
    );
  const value = parsed.value;
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value)))
    throw new SluiceError(
      'InvalidManifest',
      `${doc.source}: helm rendered a document that is not an object`,
      {
        file: doc.source,
      },
    );
  const object = (value ?? null) as KubeObject | null;
  // A document of comments only is kept in the stored manifest, as Helm keeps it, but is no object.
  return { source: doc.source, object, raw: doc.raw, fromCrdsDir: doc.fromCrdsDir };
}

function objectsOf(items: readonly { object: KubeObject | null }[]): KubeObject[] {
  return items.map((i) => i.object).filter((o): o is KubeObject => o !== null);
}

/**
 * As Helm 4 post-renders: every object tagged with the file it came from, the stream post-rendered, then
 * regrouped by file (sorted), in file order, stable-sorted by Helm's install order.
 */
async function postRender(
  rendered: Rendered[],
  postRenderers: readonly HelmPostRenderer[],
  deps: { kustomize: KustomizeRunner; scratchDir: string },
): Promise<Rendered[]> {
  const tagged = rendered.flatMap((r) => (r.object ? [annotate(r.object, FILENAME, r.source)] : []));
  const output = await applyPostRenderers(tagged, postRenderers, deps);
  const byFile = new Map<string, KubeObject[]>();
  for (const [i, obj] of output.entries()) {
    const file = String(annotationOf(obj, FILENAME) ?? `generated-by-postrender-${i}.yaml`);
    byFile.set(file, [...(byFile.get(file) ?? []), annotate(obj, FILENAME, undefined)]);
  }
  const files = [...byFile.keys()].sort();
  const ordered = files.flatMap((f) => (byFile.get(f) ?? []).map((object) => ({ source: f, object })));
  return sortByInstallOrder(ordered, (r) => r.object).map((r) => ({
    ...r,
    raw: `# Source: ${r.source}\n${toYaml(r.object)}`,
  }));
}

function annotationOf(obj: KubeObject, key: string): unknown {
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  return ((meta.annotations ?? {}) as Record<string, unknown>)[key];
}

/** A copy with annotation `key` set (or removed when `value` is undefined; an emptied map is dropped). */
function annotate(obj: KubeObject, key: string, value: string | undefined): KubeObject {
  const meta = { ...((obj.metadata ?? {}) as Record<string, unknown>) };
  const annotations = { ...((meta.annotations ?? {}) as Record<string, unknown>) };
  if (value === undefined) delete annotations[key];
  else annotations[key] = value;
  if (Object.keys(annotations).length === 0) delete meta.annotations;
  else meta.annotations = annotations;
  return { ...obj, metadata: meta };
}
