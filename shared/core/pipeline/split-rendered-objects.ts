// Sorts a render's output the way Sluice's control plane needs it (DESIGN: "Flux objects inside rendered
// output"): Flux objects become inputs for this cluster and are not shipped; ConfigMaps/Secrets are shipped
// and also feed substituteFrom; Flux's own install manifests are skipped; everything else is shipped.
import type { Bucket } from '../../api/bucket.ts';
import type { ConfigData } from '../../api/config-data.ts';
import { decodeResource } from '../../api/decode-resource.ts';
import type { GitRepository } from '../../api/git-repository.ts';
import type { HelmChart } from '../../api/helm-chart.ts';
import type { HelmRelease } from '../../api/helm-release.ts';
import type { HelmRepository } from '../../api/helm-repository.ts';
import type { Kustomization } from '../../api/kustomization.ts';
import type { OCIRepository } from '../../api/oci-repository.ts';
import { currentApiVersion } from '../../api/older-api-versions.ts';
import { SluiceError } from '../errors.ts';
import { isFluxInstance, skippedFluxInstance } from '../fleet/flux-instance.ts';
import type { GeneratedArtifact } from '../generator/generated-artifact.ts';
import {
  type DiscoveringGenerator,
  type GeneratorObjects,
  reportDeclaredExternal,
  takeGeneratorObject,
} from '../generator/take-generator-object.ts';
import { takeSourceFile } from '../render/source-file.ts';
import type { KubeObject } from '../render/yaml-codec.ts';
import { expandResourceSets, type ResourceSetReport } from '../resourceset/expand-resource-sets.ts';

export interface SplitResult {
  shipped: KubeObject[];
  gitRepositories: GitRepository[];
  /** HelmReleases: targets of this cluster, rendered from their chart. */
  helmReleases: HelmRelease[];
  /** OCIRepositories, Buckets, HelmRepositories and HelmCharts (declared, or implied by a HelmRelease's spec.chart). */
  chartSources: (OCIRepository | Bucket | HelmRepository | HelmChart)[];
  kustomizations: Kustomization[];
  configs: ConfigData[];
  /** The ExternalArtifacts of the ArtifactGenerators rendered: sources of this cluster. */
  artifacts: GeneratedArtifact[];
  /** ArtifactGenerators with spec.pathPattern: their artifacts are discovered when registered. */
  discoveries: DiscoveringGenerator[];
  warnings: string[];
  /** What became of each ResourceSet and input provider (sluice check); absent when there were none. */
  resourceSets?: ResourceSetReport[];
}

/**
 * Bounds on one render's output. Without them a single commit (or one substitution feeding a generator) fans
 * out into unbounded store writes, child renders and artifact size.
 */
export interface RenderLimits {
  /** Objects one Kustomization's render may produce, Flux objects and skipped ones included. */
  maxObjectsPerRender: number;
  /** Kustomizations + GitRepositories + ConfigMaps/Secrets one Kustomization may declare. */
  maxChildrenPerKustomization: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = {
  maxObjectsPerRender: 10_000,
  maxChildrenPerKustomization: 2000,
};

const FLUX_GROUP = /\.toolkit\.fluxcd\.io$/;

export function splitRenderedObjects(
  objects: readonly KubeObject[],
  renderedBy: string,
  limits: RenderLimits = DEFAULT_RENDER_LIMITS,
): SplitResult {
  if (objects.length > limits.maxObjectsPerRender) {
    throw limitExceeded(
      renderedBy,
      `renders ${objects.length} objects, more than the limit of ${limits.maxObjectsPerRender} per render (setting maxObjectsPerRender)`,
    );
  }
  const out: SplitResult = {
    shipped: [],
    gitRepositories: [],
    helmReleases: [],
    chartSources: [],
    kustomizations: [],
    configs: [],
    artifacts: [],
    discoveries: [],
    warnings: [],
  };
  // Flux Operator ResourceSets become the objects they generate, counted in this render's limits.
  const expanded = expandResourceSets(objects, renderedBy, limits.maxObjectsPerRender);
  out.warnings.push(...expanded.warnings);
  if (expanded.reports.length > 0) out.resourceSets = expanded.reports;
  objects = expanded.objects;
  const generators: GeneratorObjects = {
    artifacts: out.artifacts,
    discoveries: out.discoveries,
    warnings: out.warnings,
    declaredExternal: [],
  };
  let fluxComponents = 0;
  objects.forEach((obj, document) => {
    const meta = (obj.metadata ?? {}) as {
      name?: string;
      namespace?: string;
      labels?: Record<string, string>;
    };
    const apiVersion = String(obj.apiVersion ?? '');
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    // gotk-components.yaml: Sluice replaces these controllers, but keeps their Namespace (flux-system),
    // where fleets put the ConfigMaps and Secrets their Kustomizations substitute from.
    if (meta.labels?.['app.kubernetes.io/part-of'] === 'flux' && obj.kind !== 'Namespace') {
      fluxComponents++;
      return;
    }
    // A FluxInstance installs Flux (Sluice replaces it); its spec.sync is the root (adopt-root.ts).
    if (isFluxInstance(obj)) {
      out.warnings.push(skippedFluxInstance(obj));
      return;
    }
    // ArtifactGenerators (source.extensions.fluxcd.io) and ExternalArtifacts: core/generator.
    if (takeGeneratorObject(obj, document, renderedBy, generators)) return;
    if (FLUX_GROUP.test(group)) {
      // An accepted older version (v1beta2, v2beta1…) is decoded as the current one, with a status note.
      const current = currentApiVersion(apiVersion, String(obj.kind));
      const isFluxSystem = meta.name === 'flux-system' && (meta.namespace ?? 'flux-system') === 'flux-system';
      if (isFluxSystem && (obj.kind === 'GitRepository' || obj.kind === 'Kustomization')) return; // gotk-sync.yaml: the fleet itself
      if (obj.kind === 'HelmRelease' && current === 'helm.toolkit.fluxcd.io/v2') {
        const { object, file } = takeSourceFile(obj);
        const resource = decodeResource(
          object,
          file ? { file, document: 0 } : { file: `output of ${renderedBy}`, document },
          out.warnings,
        );
        if (resource.kind !== 'HelmRelease') return;
        out.helmReleases.push(resource);
        // The HelmChart its spec.chart implies is a source of this cluster, as helm-controller creates it.
        if (resource.spec.chart) addChartSource(out, resource.spec.chart.helmChart);
        return;
      }
      if (CHART_SOURCE_KINDS.has(String(obj.kind)) && current === 'source.toolkit.fluxcd.io/v1') {
        const { object, file } = takeSourceFile(obj);
        const resource = decodeResource(
          object,
          file ? { file, document: 0 } : { file: `output of ${renderedBy}`, document },
          out.warnings,
        );
        if (
          resource.kind === 'HelmChart' ||
          resource.kind === 'HelmRepository' ||
          resource.kind === 'OCIRepository' ||
          resource.kind === 'Bucket'
        )
          addChartSource(out, resource);
        return;
      }
      if (obj.kind !== 'GitRepository' && obj.kind !== 'Kustomization') {
        out.warnings.push(
          `${String(obj.kind)}/${meta.namespace ?? 'flux-system'}/${meta.name}: ${apiVersion} ${String(obj.kind)} is not supported by Sluice yet and was skipped`,
        );
        return;
      }
      // The file that declares it when the render knows (errors then name it), else its parent's output.
      const { object, file } = takeSourceFile(obj);
      const resource = decodeResource(
        object,
        file ? { file, document: 0 } : { file: `output of ${renderedBy}`, document },
        out.warnings,
      );
      if (resource.kind === 'GitRepository') out.gitRepositories.push(resource);
      else if (resource.kind === 'Kustomization') out.kustomizations.push(resource);
      return;
    }
    if (apiVersion === 'v1' && (obj.kind === 'ConfigMap' || obj.kind === 'Secret')) {
      const resource = decodeResource(obj, { file: `output of ${renderedBy}`, document });
      if (resource.kind === 'ConfigMap' || resource.kind === 'Secret') out.configs.push(resource);
    }
    out.shipped.push(obj);
  });
  reportDeclaredExternal(generators);
  const children =
    out.artifacts.length +
    out.discoveries.length +
    out.gitRepositories.length +
    out.chartSources.length +
    out.kustomizations.length +
    out.helmReleases.length +
    out.configs.length;
  if (children > limits.maxChildrenPerKustomization) {
    throw limitExceeded(
      renderedBy,
      `declares ${children} Kustomizations, GitRepositories, ConfigMaps and Secrets, more than the limit of ${limits.maxChildrenPerKustomization} per Kustomization (setting maxChildrenPerKustomization)`,
    );
  }
  if (fluxComponents > 0) {
    out.warnings.push(
      `skipped ${fluxComponents} objects of Flux's own install manifests (app.kubernetes.io/part-of: flux)`,
    );
  }
  return out;
}

const CHART_SOURCE_KINDS = new Set(['HelmRepository', 'OCIRepository', 'HelmChart', 'Bucket']);

/** Every chart source is a source of this cluster (a HelmChart of a Bucket builds from its snapshot, as of Git). */
function addChartSource(out: SplitResult, source: SplitResult['chartSources'][number]): void {
  out.chartSources.push(source);
}

function limitExceeded(renderedBy: string, what: string): SluiceError {
  return new SluiceError(
    'LimitExceeded',
    `${renderedBy}: ${what}; split it into several Kustomizations, or raise the setting if this is intended`,
    { object: renderedBy },
  );
}
