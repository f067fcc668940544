// The Kustomization renderer asks for the cluster's configs when spec.decryption names a keys Secret, so the
// render can read it as this cluster sees it.
import { describe, expect, it } from 'vitest';
import { createLocalRenderDeps } from '../../../shared/config/render-deps.ts';
import { kustomizationRenderer } from '../../../shared/usecases/renderers/kustomization-renderer.ts';
import { testKustomization } from '../../support/kustomization-fixture.ts';

const renderer = kustomizationRenderer(createLocalRenderDeps());

function plan(decryption?: { provider: 'sops'; secretRef?: { name: string } }) {
  const kustomization = testKustomization('apps', 'flux-system', decryption ? { decryption } : {});
  return renderer.plan(
    { cluster: 'dev', kustomization, sourceKey: 'GitRepository/flux-system/fleet', parent: null },
    { noCrossNamespaceRefs: false },
  );
}

describe('kustomizationRenderer plan with spec.decryption', () => {
  it('needs the configs only when a keys Secret is named', () => {
    expect(plan().needsConfigs).toBe(false);
    expect(plan({ provider: 'sops' }).needsConfigs).toBe(false);
    expect(plan({ provider: 'sops', secretRef: { name: 'sops-keys' } }).needsConfigs).toBe(true);
  });
});
