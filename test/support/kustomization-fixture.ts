// Decoded Kustomizations for tests: the defaults decoding gives a minimal manifest, overridden per test.
import type { Kustomization, KustomizationSpec } from '../../shared/api/kustomization.ts';

/** The spec decoding yields for `sourceRef: fleet`, `interval: 10m`, `prune: true`, plus `fields`. */
export function testSpec(fields: Partial<KustomizationSpec> = {}): KustomizationSpec {
  return {
    sourceRef: { kind: 'GitRepository', name: 'fleet' },
    intervalMs: 600_000,
    prune: true,
    wait: false,
    force: false,
    suspend: false,
    ignoreMissingComponents: false,
    ...fields,
  };
}

/** A decoded Kustomization `namespace/name` with `testSpec(spec)`, declared in `file`. */
export function testKustomization(
  name: string,
  namespace: string,
  spec: Partial<KustomizationSpec> = {},
  file = `clusters/dev/${name}.yaml`,
): Kustomization {
  return {
    kind: 'Kustomization',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    metadata: { name, namespace, labels: {}, annotations: {} },
    spec: testSpec(spec),
    source: { file, document: 0 },
  };
}
