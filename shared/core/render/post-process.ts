// Everything Flux does to kustomize's output before apply, in Flux's order (FLUX-RENDER §0, §5.2): check
// each object's identity, substitute variables, add owner labels, then commonMetadata. Pure.
import type { Kustomization } from '../../api/kustomization.ts';
import { objectRef } from '../../api/object-meta.ts';
import { SluiceError } from '../errors.ts';
import { setCommonMetadata, setOwnerLabels } from './owner-labels.ts';
import { moveOriginToSourceFile } from './source-file.ts';
import { substituteObject } from './substitute.ts';
import { type KubeObject, parseYaml11, splitDocuments } from './yaml-codec.ts';

export interface PostProcessOptions {
  ks: Kustomization;
  vars: ReadonlyMap<string, string>;
  strict: boolean;
  /** Namespace written into the owner label; defaults to the Kustomization's namespace. */
  ownerNamespace?: string;
  /**
   * Set when Sluice (not the fleet) asked kustomize for origin annotations: the build directory relative to
   * the repository root, to turn them into each Flux object's file and remove them from everything else.
   */
  originsFrom?: string;
}

export function postProcess(kustomizeOutput: string, opts: PostProcessOptions): KubeObject[] {
  const ksRef = objectRef('Kustomization', opts.ks.metadata);
  return splitDocuments(kustomizeOutput).map((text, i) => {
    const parsed = parseYaml11(text);
    if ('error' in parsed) {
      throw new SluiceError(
        'BuildFailed',
        `${ksRef}: object ${i + 1} of the build output is not valid YAML: ${parsed.error}`,
        {
          object: ksRef,
        },
      );
    }
    const original = parsed.value as KubeObject;
    assertIdentity(original, i, ksRef);
    const obj = opts.ks.spec.postBuild
      ? substituteObject(text, original, opts.vars, { strict: opts.strict, kustomizationRef: ksRef })
      : original;
    setOwnerLabels(obj, {
      name: opts.ks.metadata.name,
      namespace: opts.ownerNamespace ?? opts.ks.metadata.namespace,
    });
    setCommonMetadata(obj, opts.ks.spec.commonMetadata);
    if (opts.originsFrom !== undefined) moveOriginToSourceFile(obj, opts.originsFrom);
    return obj;
  });
}

function assertIdentity(obj: KubeObject, index: number, ksRef: string): void {
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  for (const [field, value] of [
    ['apiVersion', obj.apiVersion],
    ['kind', obj.kind],
    ['metadata.name', meta.name],
  ] as const) {
    if (typeof value !== 'string' || value === '') {
      throw new SluiceError(
        'BuildFailed',
        `${ksRef}: object ${index + 1} of the build output has no ${field}`,
        {
          object: ksRef,
          field,
        },
      );
    }
  }
}
