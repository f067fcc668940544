// The Renderer of Kustomizations: Flux's kustomize-controller build (render-kustomization.ts) behind the
// port, with the spec fields the pipeline needs (suspend, sourceRef, substituteFrom, apply options).
import type { HealthCheckReference } from '../../api/kustomization.ts';
import { objectRef } from '../../api/object-meta.ts';
import type { ApplyOptions } from '../../core/artifact/artifact.ts';
import { SluiceError } from '../../core/errors.ts';
import { refuseCrossNamespaceRefs } from '../../core/pipeline/cross-namespace-refs.ts';
import type { KustomizationRecord } from '../../core/pipeline/records.ts';
import { asKustomizationRecord } from '../../core/pipeline/target-record.ts';
import type { ObjectRef } from '../../ports/cluster-api.ts';
import type { Renderer, RenderInputs, RenderOutput, RenderPlan, TargetRecord } from '../../ports/renderer.ts';
import { type RenderDeps, renderKustomization } from '../render-kustomization.ts';

export function kustomizationRenderer(deps: RenderDeps): Renderer {
  return {
    kind: 'Kustomization',
    plan(record: TargetRecord, options: { noCrossNamespaceRefs: boolean }): RenderPlan {
      const ks = kustomizationOf(record).kustomization;
      if (options.noCrossNamespaceRefs) refuseCrossNamespaceRefs(ks);
      const { sourceRef } = ks.spec;
      return {
        objectRef: objectRef('Kustomization', ks.metadata),
        suspended: ks.spec.suspend === true,
        sourceRef: {
          kind: sourceRef.kind,
          namespace: sourceRef.namespace ?? ks.metadata.namespace,
          name: sourceRef.name,
        },
        needsConfigs:
          (ks.spec.postBuild?.substituteFrom?.length ?? 0) > 0 || ks.spec.decryption?.secretRef !== undefined,
        apply: applyOptionsOf(kustomizationOf(record)),
        warnings: [],
      };
    },
    async render(record: TargetRecord, inputs: RenderInputs): Promise<RenderOutput> {
      const { configs } = inputs;
      const rendered = await renderKustomization(deps, {
        ks: kustomizationOf(record).kustomization,
        sourceRoot: inputs.sourceRoot,
        sourceDigest: inputs.sourceDigest,
        strict: inputs.strictSubstitution,
        allowRemoteBases: inputs.allowRemoteBases,
        sourceFiles: true,
        configLookup: (kind, namespace, name) =>
          configs.find(
            (c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name,
          ),
      });
      return {
        key: rendered.key,
        objects: rendered.objects,
        ...(rendered.warnings.length > 0 && { warnings: rendered.warnings }),
      };
    },
  };
}

function kustomizationOf(record: TargetRecord): KustomizationRecord {
  const ks = asKustomizationRecord(record);
  if (!ks)
    throw new SluiceError('InternalError', 'the Kustomization renderer was handed another kind of record');
  return ks;
}

function applyOptionsOf({ kustomization: ks }: KustomizationRecord): ApplyOptions {
  return {
    prune: ks.spec.prune,
    wait: ks.spec.wait,
    force: ks.spec.force,
    timeoutMs: ks.spec.timeoutMs ?? Math.max(30_000, ks.spec.intervalMs - 30_000),
    intervalMs: ks.spec.intervalMs,
    dependsOn: (ks.spec.dependsOn ?? []).map((d) => ({
      name: d.name,
      namespace: d.namespace ?? ks.metadata.namespace,
    })),
    // Only when set (an absent field keeps every earlier artifact's digest): the puller acts as this account.
    ...(ks.spec.serviceAccountName && { serviceAccountName: ks.spec.serviceAccountName }),
    // Only when set: an absent field keeps the digest of every artifact rendered before these existed.
    ...(ks.spec.healthChecks?.length && { healthChecks: ks.spec.healthChecks.map(healthCheckRef) }),
    ...(ks.spec.healthCheckExprs?.length && { healthCheckExprs: ks.spec.healthCheckExprs }),
    ...(ks.spec.retryIntervalMs !== undefined && { retryIntervalMs: ks.spec.retryIntervalMs }),
    ...(ks.spec.ignore?.length && { driftIgnoreRules: ks.spec.ignore }),
    // MirrorPrune is the default and stays absent, so every artifact rendered before this field keeps its digest.
    ...(ks.spec.deletionPolicy &&
      ks.spec.deletionPolicy !== 'MirrorPrune' && { deletionPolicy: ks.spec.deletionPolicy }),
  };
}

/** As Flux reads a health check reference: no apiVersion is `apps/v1` (v1beta1 compatibility), no namespace is none. */
function healthCheckRef(ref: HealthCheckReference): ObjectRef {
  return {
    apiVersion: ref.apiVersion ?? 'apps/v1',
    kind: ref.kind,
    name: ref.name,
    ...(ref.namespace && { namespace: ref.namespace }),
  };
}
