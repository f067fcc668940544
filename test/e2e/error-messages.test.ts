// What `sluice status` says about fleet mistakes, through the real control plane: the error names the
// object and the fix, and a source kind Sluice cannot fetch yet is said to be unsupported, not missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_FLEET,
  type Harness,
  kustomizationStatus,
  startHarness,
} from '../support/pipeline-harness.ts';

let h: Harness;

const ks = (name: string, sourceKind: string, path = './apps/dev') =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ${path}\n  prune: true\n  sourceRef:\n    kind: ${sourceKind}\n    name: ${name}-artifact\n`;

beforeAll(async () => {
  h = await startHarness({ files: { 'clusters/dev/external.yaml': ks('external', 'ExternalArtifact') } });
  await h.start();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('errors in sluice status', () => {
  it('says no ArtifactGenerator produces an ExternalArtifact source, and how to declare one', async () => {
    const failed = await h.waitFor('the external Kustomization to fail', async () => {
      const k = kustomizationStatus(await h.status(), 'external');
      return k?.render && !k.render.ready ? k : undefined;
    });
    // A sibling's generator may be declared later: waited for, as Flux waits for a missing source.
    expect(failed.render?.reason).toBe('DependencyNotReady');
    expect(failed.render?.message).toBe(
      "clusters/dev/external.yaml: Kustomization/flux-system/external: spec.sourceRef: ExternalArtifact 'flux-system/external-artifact' not found in cluster dev; declare an ArtifactGenerator in namespace flux-system with an artifact named external-artifact: Sluice has ExternalArtifacts only from ArtifactGenerators",
    );
    expect(failed.render?.message).not.toContain('declare the GitRepository');
  });

  const apps = readFileSync(join(EXAMPLE_FLEET, 'clusters/dev/apps.yaml'), 'utf8');
  const failedRender = (name: string) =>
    h.waitFor(`${name} to fail`, async () => {
      const k = kustomizationStatus(await h.status(), name);
      return k?.render && !k.render.ready ? k : undefined;
    });

  it('names the file and the object of a child Kustomization that fails, and says a missing path is not found', async () => {
    await h.push(
      { 'clusters/dev/apps.yaml': apps.replace('path: ./apps/dev', 'path: ./apps/nowhere') },
      'bad path',
    );
    await h.webhook();
    const failed = await failedRender('apps');
    expect(failed.render?.message).toMatch(
      /^clusters\/dev\/apps\.yaml: Kustomization\/flux-system\/apps: spec\.path: kustomization path not found/,
    );
  });

  it('reports a misspelt field with the file, the object and the closest known field', async () => {
    await h.push(
      { 'clusters/dev/apps.yaml': apps.replace('targetNamespace: podinfo', 'targetNamespce: podinfo') },
      'misspelt field',
    );
    await h.webhook();
    // The object is refused when its parent's render declares it: the parent's status says why.
    const failed = await failedRender('flux-system');
    expect(failed.render?.reason).toBe('BuildFailed');
    expect(failed.render?.message).toContain(
      'clusters/dev/apps.yaml: Kustomization/flux-system/apps: spec.targetNamespce: unknown field; did you mean spec.targetNamespace?',
    );
  });
});
