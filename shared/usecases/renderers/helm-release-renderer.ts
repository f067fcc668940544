// The Renderer of HelmReleases: helm-controller's build around the real `helm template` (values merged in
// Flux's order, the cluster's capabilities, --is-upgrade once the release exists, the action's CRD policy,
// post-renderers, Flux's origin labels and commonMetadata), and the release the puller records for Helm.
import { createHash } from 'node:crypto';
import type { HelmRelease } from '../../api/helm-release.ts';
import { objectRef } from '../../api/object-meta.ts';
import type { ApplyOptions } from '../../core/artifact/artifact.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { SluiceError } from '../../core/errors.ts';
import type { HelmReleaseApply } from '../../core/helm/helm-release-apply.ts';
import type { HelmCapabilities } from '../../core/helm/helm-template-args.ts';
import { mergeReleaseValues } from '../../core/helm/merge-release-values.ts';
import type { HelmReleaseRecord } from '../../core/pipeline/records.ts';
import { isHelmReleaseRecord } from '../../core/pipeline/target-record.ts';
import { helmRenderKey } from '../../core/render/helm-render-key.ts';
import { setCommonMetadata } from '../../core/render/owner-labels.ts';
import type { KubeObject } from '../../core/render/yaml-codec.ts';
import type { HelmTemplateOutput } from '../../ports/helm-template.ts';
import type { Renderer, RenderInputs, RenderOutput, RenderPlan, TargetRecord } from '../../ports/renderer.ts';
import { chartSourceOf } from '../register-children.ts';
import type { RenderDeps } from '../render-kustomization.ts';

/** What `helm template` assumes without `--kube-version` (helm v4.1): used until the cluster's puller reports. */
export const HELM_DEFAULT_CAPABILITIES: HelmCapabilities = { kubeVersion: 'v1.35.0', apiVersions: [] };

export function helmReleaseRenderer(deps: RenderDeps): Renderer {
  const inFlight = new Map<string, Promise<string>>();
  return {
    kind: 'HelmRelease',
    plan(record: TargetRecord, options: { noCrossNamespaceRefs: boolean }): RenderPlan {
      const hr = releaseOf(record).helmRelease;
      const ref = objectRef('HelmRelease', hr.metadata);
      const chart = chartSourceOf(hr);
      if (options.noCrossNamespaceRefs && chart.namespace !== hr.metadata.namespace) {
        throw new SluiceError(
          'AccessDenied',
          `${ref}: ${hr.spec.chart ? 'spec.chart.spec.sourceRef' : 'spec.chartRef'}: cross-namespace references are not allowed (${chart.kind} '${chart.namespace}/${chart.name}'); declare the source in namespace ${hr.metadata.namespace}`,
          { object: ref, field: hr.spec.chart ? 'spec.chart.spec.sourceRef' : 'spec.chartRef' },
        );
      }
      return {
        objectRef: ref,
        suspended: hr.spec.suspend,
        sourceRef: { kind: chart.kind, namespace: chart.namespace, name: chart.name },
        needsConfigs: hr.spec.valuesFrom.length > 0,
        apply: applyOptionsOf(hr),
        warnings: [...(hr.spec.notHonoured ?? []), ...driftWarnings(hr)],
      };
    },
    async render(record: TargetRecord, inputs: RenderInputs): Promise<RenderOutput> {
      const hr = releaseOf(record).helmRelease;
      if (!deps.helm) {
        throw new SluiceError(
          'ToolMissing',
          `${objectRef('HelmRelease', hr.metadata)}: this render stage has no helm`,
        );
      }
      const values = mergeReleaseValues(hr, (kind, namespace, name) =>
        inputs.configs.find(
          (c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name,
        ),
      );
      const namespace = hr.spec.targetNamespace ?? hr.metadata.namespace;
      const capabilities = inputs.capabilities ?? HELM_DEFAULT_CAPABILITIES;
      // One helm run per distinct input, whichever cluster and HelmRelease ask (the process's render cache).
      const keysOf = (isUpgrade: boolean) => {
        const action = isUpgrade ? hr.spec.upgrade : hr.spec.install;
        const templateKey = helmRenderKey({
          chartDigest: inputs.sourceDigest,
          values,
          releaseName: hr.spec.releaseName,
          namespace,
          capabilities,
          isUpgrade,
          includeCrds: action.crds !== 'Skip',
          disableHooks: action.disableHooks,
          postRenderers: hr.spec.postRenderers,
          engine: deps.helm?.version,
        });
        // The artifact's key also names what is added per HelmRelease (origin labels, commonMetadata).
        const key = `sha256:${createHash('sha256')
          .update(
            canonicalJson([
              templateKey,
              hr.metadata.namespace,
              hr.metadata.name,
              hr.spec.commonMetadata ?? null,
            ]),
          )
          .digest('hex')}`;
        return { action, templateKey, key };
      };
      // As helm-controller: a release whose chart and values have not changed is in sync. The install the
      // cluster has is kept, rather than re-rendered as an upgrade only because the release now exists.
      const installed = keysOf(false);
      const isUpgrade = inputs.releaseExists === true && inputs.publishedKey !== installed.key;
      const { action, templateKey, key } = isUpgrade ? keysOf(true) : installed;
      const includeCrds = action.crds !== 'Skip';
      // Renders of one key in flight at once share the helm run: the cache knows the output only once it ends.
      let running = inFlight.get(templateKey);
      if (!running) {
        const helm = deps.helm;
        running = (async (): Promise<string> => {
          const cached = deps.cache ? await deps.cache.get(templateKey) : undefined;
          if (cached) return cached;
          const output = JSON.stringify(
            await helm.template({
              chartPath: await helm.locateChart(inputs.sourceRoot),
              releaseName: hr.spec.releaseName,
              namespace,
              values,
              isUpgrade,
              includeCrds,
              disableHooks: action.disableHooks,
              capabilities,
              postRenderers: hr.spec.postRenderers,
            }),
          );
          if (deps.cache) await deps.cache.put(templateKey, output);
          return output;
        })().finally(() => inFlight.delete(templateKey));
        inFlight.set(templateKey, running);
      }
      // Each render parses its own copy: the objects are stamped per HelmRelease below.
      const result = JSON.parse(await running) as HelmTemplateOutput;
      // helm-controller's origin labels, then commonMetadata (which wins), on everything it applies.
      // `result` is this render's own parse, so the objects are stamped in place.
      const origin = (obj: KubeObject): KubeObject => {
        setCommonMetadata(obj, {
          labels: {
            'helm.toolkit.fluxcd.io/name': hr.metadata.name,
            'helm.toolkit.fluxcd.io/namespace': hr.metadata.namespace,
          },
        });
        setCommonMetadata(obj, hr.spec.commonMetadata);
        return obj;
      };
      const helm: HelmReleaseApply = {
        releaseName: hr.spec.releaseName,
        namespace,
        storageNamespace: hr.spec.storageNamespace,
        chart: result.chart,
        values,
        manifest: result.manifestText,
        disableHooks: action.disableHooks,
        createNamespace: hr.spec.install.createNamespace,
        crds: action.crds,
        maxHistory: hr.spec.maxHistory,
        keepHistory: hr.spec.uninstall.keepHistory,
        uninstallDisableHooks: hr.spec.uninstall.disableHooks,
        timeoutMs: action.timeoutMs ?? hr.spec.timeoutMs,
        description: `${isUpgrade ? 'Upgrade' : 'Install'} complete`,
      };
      return {
        key,
        objects: [...result.crds, ...result.manifests, ...result.hooks].map(origin),
        helm,
        ...(inputs.releaseExists === true && !isUpgrade && { keptInstall: true }),
        ...(!inputs.capabilities && {
          warnings: [
            `rendered with helm's default capabilities (${HELM_DEFAULT_CAPABILITIES.kubeVersion}): no puller of this cluster has reported its API server yet; it renders again when one does`,
          ],
        }),
      };
    },
  };
}

function releaseOf(record: TargetRecord): HelmReleaseRecord {
  if (!isHelmReleaseRecord(record))
    throw new SluiceError('InternalError', 'the HelmRelease renderer was handed another kind of record');
  return record;
}

/** What Sluice's drift handling does differently from helm-controller's, said in the status. */
function driftWarnings(hr: HelmRelease): string[] {
  const { mode, ignore } = hr.spec.driftDetection;
  if (mode === 'disabled' && ignore.length > 0)
    return ['spec.driftDetection.ignore: has no effect unless spec.driftDetection.mode is enabled or warn'];
  return [];
}

function applyOptionsOf(hr: HelmRelease): ApplyOptions {
  return {
    prune: true,
    // Helm waits only when asked to; the puller's health waits are not carried out yet (see the status warnings).
    wait: false,
    force: hr.spec.upgrade.force,
    timeoutMs: hr.spec.timeoutMs,
    intervalMs: hr.spec.intervalMs,
    // As helm-controller: the cluster is corrected back to the release only with driftDetection enabled;
    // with warn, drift is looked for each interval and reported, and nothing is written.
    ...(hr.spec.driftDetection.mode !== 'enabled' && { correctDrift: false }),
    ...(hr.spec.driftDetection.mode === 'warn' && { driftMode: 'warn' as const }),
    // Only when set, so earlier artifacts keep their digest: fields drift detection leaves alone.
    ...(hr.spec.driftDetection.mode !== 'disabled' && hr.spec.driftDetection.ignore.length > 0
      ? { driftIgnoreRules: hr.spec.driftDetection.ignore }
      : {}),
    dependsOn: hr.spec.dependsOn.map((d) => ({
      name: d.name,
      namespace: d.namespace ?? hr.metadata.namespace,
      ...(d.kind && d.kind !== 'HelmRelease' && { kind: d.kind }),
    })),
    // The puller installs, upgrades and uninstalls the release as this service account of its namespace.
    ...(hr.spec.serviceAccountName && { serviceAccountName: hr.spec.serviceAccountName }),
  };
}
