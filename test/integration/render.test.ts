// The render use-case through the real kustomize binary: Flux's output for an overlay and a generated
// kustomization, and the exact error for each way a commit can be wrong.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigData } from '../../shared/api/config-data.ts';
import { findKustomization } from '../../shared/api/find-kustomization.ts';
import type { Kustomization } from '../../shared/api/kustomization.ts';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import type { SluiceError } from '../../shared/core/errors.ts';
import { objectsToYaml } from '../../shared/core/render/yaml-codec.ts';
import { type RenderRequest, renderKustomization } from '../../shared/usecases/render-kustomization.ts';
import { rejectionOf } from '../support/error-of.ts';
import { testKustomization } from '../support/kustomization-fixture.ts';

const fixtures = join(import.meta.dirname, '../fixtures/render');
const deps = createLocalRenderDeps({ scratchDir: join(tmpdir(), 'sluice-render-test') });
let errorsRoot: string;

beforeAll(() => {
  // Copy so the tests can add a symlink that escapes the repository without committing one.
  errorsRoot = mkdtempSync(join(tmpdir(), 'sluice-render-errors-'));
  cpSync(join(fixtures, 'errors/repo'), errorsRoot, { recursive: true });
});

afterAll(() => rmSync(errorsRoot, { recursive: true, force: true }));

function load(caseName: string, name: string): { ks: Kustomization; configs: ConfigData[] } {
  const file = join(fixtures, caseName, 'kustomization.yaml');
  const found = findKustomization(readFileSync(file, 'utf8'), file, name, 'flux-system');
  const configs = found.others.filter((o): o is ConfigData => o.kind === 'ConfigMap' || o.kind === 'Secret');
  return { ks: found.ks, configs };
}

function request(
  ks: Kustomization,
  sourceRoot: string,
  configs: ConfigData[] = [],
  extra: Partial<RenderRequest> = {},
): RenderRequest {
  return {
    ks,
    sourceRoot,
    configLookup: (kind, namespace, name) =>
      configs.find((c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name),
    ...extra,
  };
}

function ks(path: string, postBuild?: Kustomization['spec']['postBuild']): Kustomization {
  return testKustomization(
    'app',
    'flux-system',
    { path, ...(postBuild && { postBuild }) },
    'clusters/dev/app.yaml',
  );
}

function renderError(req: RenderRequest): Promise<SluiceError> {
  return rejectionOf(renderKustomization(deps, req));
}

describe('renderKustomization', () => {
  it('renders an overlay as Flux does: spec merged, images, patches, substitution, owner labels, commonMetadata', async () => {
    const { ks: overlay, configs } = load('overlay', 'podinfo');
    const result = await renderKustomization(deps, request(overlay, join(fixtures, 'overlay/repo'), configs));
    expect(objectsToYaml(result.objects)).toBe(readFileSync(join(fixtures, 'overlay/expected.yaml'), 'utf8'));
    expect(result.key).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('generates a kustomization when the path has none: lexical walk, sub-kustomizations as resources', async () => {
    const { ks: cluster } = load('generated', 'cluster');
    const result = await renderKustomization(deps, request(cluster, join(fixtures, 'generated/repo')));
    expect(objectsToYaml(result.objects)).toBe(
      readFileSync(join(fixtures, 'generated/expected.yaml'), 'utf8'),
    );
  });

  it('hashes identical inputs to the same render key and reuses the cached render', async () => {
    const { ks: overlay, configs } = load('overlay', 'podinfo');
    const root = join(fixtures, 'overlay/repo');
    const first = await renderKustomization(
      deps,
      request(overlay, root, configs, { sourceDigest: 'sha256:abc' }),
    );
    const second = await renderKustomization(
      deps,
      request(overlay, root, configs, { sourceDigest: 'sha256:abc' }),
    );
    expect(second).toEqual({ ...first, cached: true });
    const changed = await renderKustomization(
      deps,
      request({ ...overlay, spec: { ...overlay.spec, namePrefix: 'other-' } }, root, configs, {
        sourceDigest: 'sha256:abc',
      }),
    );
    expect(changed.key).not.toBe(first.key);
    expect(changed.cached).toBe(false);
  });

  it('fails on invalid YAML with the file and position', async () => {
    const err = await renderError(request(ks('bad-yaml'), errorsRoot));
    expect(err.code).toBe('BuildFailed');
    expect(err.message).toBe(
      'clusters/dev/app.yaml: Kustomization/flux-system/app: failed to decode Kubernetes YAML from bad-yaml/cm.yaml: All mapping items must start at the same column at line 5, column 1; fix the file, or add a kustomization.yaml or .sourceignore entry that leaves it out',
    );
  });

  it('fails on a YAML file that is not a Kubernetes object, as Flux does for Helm values files', async () => {
    const err = await renderError(request(ks('not-k8s'), errorsRoot));
    expect(err.message).toBe(
      'clusters/dev/app.yaml: Kustomization/flux-system/app: failed to decode Kubernetes YAML from not-k8s/values.yaml: missing kind; fix the file, or add a kustomization.yaml or .sourceignore entry that leaves it out',
    );
  });

  it('reports a kustomize error with repository-relative paths', async () => {
    const err = await renderError(request(ks('kustomize-error'), errorsRoot));
    expect(err.code).toBe('KustomizeFailed');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(
      "clusters/dev/app.yaml: Kustomization/flux-system/app: kustomize build failed: accumulating resources: accumulation err='accumulating resources from 'missing.yaml': open kustomize-error/missing.yaml: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on 'kustomize-error/missing.yaml' : lstat kustomize-error/missing.yaml: no such file or directory; \"kustomize-error/missing.yaml\" not found in the repository; fix the reference to it or commit it",
    );
  });

  it('fails on an unset variable in strict mode and substitutes an empty value otherwise', async () => {
    const postBuild = { substitute: { defined: 'yes-value' } };
    const err = await renderError(request(ks('unset-var', postBuild), errorsRoot, [], { strict: true }));
    expect(err.code).toBe('SubstitutionFailed');
    expect(err.message).toBe(
      'clusters/dev/app.yaml: Kustomization/flux-system/app: var substitution failed for \'x\' (ConfigMap): envsubst error: variable substitution failed: variable not set (strict mode): "undefined_var"; define it in spec.postBuild.substitute or substituteFrom, or give it a default like ${var:=default}',
    );
    expect(err.message).not.toContain('yes-value');
    const lenient = await renderKustomization(
      deps,
      request(ks('unset-var', postBuild), errorsRoot, [], { strict: false }),
    );
    expect(objectsToYaml(lenient.objects)).toContain('  a: yes-value\n  b: null\n');
  });

  it('refuses a spec.path that leaves the repository', async () => {
    const err = await renderError(request(ks('../../etc'), errorsRoot));
    expect(err.code).toBe('PathEscapesRoot');
    expect(err.message).toBe(
      'clusters/dev/app.yaml: Kustomization/flux-system/app: spec.path "../../etc" points outside the repository; use a path relative to the repository root',
    );
  });

  it('refuses a kustomization resource that leaves the repository', async () => {
    const err = await renderError(request(ks('escape'), errorsRoot));
    expect(err.code).toBe('PathEscapesRoot');
    expect(err.message).toBe(
      'clusters/dev/app.yaml: Kustomization/flux-system/app: escape/kustomization.yaml: resources[0]: "../../../../../etc/hostname" points outside the repository; reference files inside the repository only',
    );
  });

  it('refuses remote bases unless they are enabled', async () => {
    const err = await renderError(request(ks('remote'), errorsRoot));
    expect(err.code).toBe('RemoteBaseDisabled');
    expect(err.message).toBe(
      'clusters/dev/app.yaml: Kustomization/flux-system/app: remote/kustomization.yaml: resources[0]: remote reference "https://github.com/example/fleet//base?ref=main" is not allowed; vendor it into the repository or enable remote bases for this Sluice installation',
    );
  });

  it('names a missing path and a missing substituteFrom ConfigMap', async () => {
    const missing = await renderError(request(ks('nowhere'), errorsRoot));
    expect(missing.code).toBe('PathNotFound');
    expect(missing.message).toBe(
      'clusters/dev/app.yaml: Kustomization/flux-system/app: spec.path: kustomization path not found: "nowhere" does not exist in the source; fix spec.path or commit the directory',
    );
    const noVars = await renderError(
      request(
        ks('unset-var', { substituteFrom: [{ kind: 'ConfigMap', name: 'vars', optional: false }] }),
        errorsRoot,
      ),
    );
    expect(noVars.code).toBe('ReferenceNotFound');
    expect(noVars.message).toBe(
      "clusters/dev/app.yaml: Kustomization/flux-system/app: spec.postBuild.substituteFrom[0]: ConfigMap 'flux-system/vars' not found; add it to the fleet or set optional: true",
    );
  });
});
