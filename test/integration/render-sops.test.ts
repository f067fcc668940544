// Flux's SOPS decryption in the Kustomization render (FLUX-RENDER §4), on kustomize-controller's own testdata:
// generator files and patches decrypted before the build, resources and nested Secret documents after it,
// keys from a fleet Secret; a Secret still encrypted is refused, and no failure carries a key or a plaintext.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigData } from '../../shared/api/config-data.ts';
import { SOPS_VERIFY_MAC_ANNOTATION } from '../../shared/api/kustomization.ts';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { type RenderRequest, renderKustomization } from '../../shared/usecases/render-kustomization.ts';
import { rejectionOf } from '../support/error-of.ts';
import { testKustomization } from '../support/kustomization-fixture.ts';

const vectors = join(
  import.meta.dirname,
  '../../../shared/vectors/sops/fluxcd-kustomize-controller/internal/controller/testdata/sops',
);
const present = (() => {
  try {
    readFileSync(join(vectors, 'keys/age.txt'));
    return true;
  } catch {
    return false;
  }
})();
if (!present) console.warn(`render-sops: ${vectors} is absent; skipping the Flux SOPS render tests`);

const deps = createLocalRenderDeps({ scratchDir: join(tmpdir(), 'sluice-render-sops-test') });
let root: string;
const keyTexts: Record<string, string> = {};
// Every plaintext the testdata holds (as a value, not the file or key named alike): none may appear in an error.
const PLAINTEXTS = [/(?<![./])\bmerge1\b(?!\.yaml)/, /(?<![./])\bmerge2\b(?!\.yaml)/, /[=:"]\s*"?value\b/];

beforeAll(() => {
  if (!present) return;
  // A GitRepository-like snapshot built at test time; the shared vectors are never copied into the repo.
  root = mkdtempSync(join(tmpdir(), 'sluice-sops-snapshot-'));
  for (const dir of ['algorithms', 'envs', 'files', 'patches', 'inside', 'component'])
    cpSync(join(vectors, dir), join(root, 'fleet', dir), { recursive: true });
  // Without vault.yaml (no Vault in Sluice) and the remote base (no network in tests).
  writeFileSync(
    join(root, 'fleet/algorithms/kustomization.yaml'),
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: algo-\nresources: [age.yaml, age-pq.yaml, pgp.yaml]\n',
  );
  writeFileSync(
    join(root, 'fleet/kustomization.yaml'),
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: sops-\nresources: [algorithms, envs, files, patches, inside]\ncomponents: [./component]\n',
  );
  for (const [entry, file] of [
    ['age.agekey', 'age.txt'],
    ['age-pq.agekey', 'age-pq.txt'],
    ['pgp.asc', 'pgp.asc'],
  ] as const)
    keyTexts[entry] = readFileSync(join(vectors, 'keys', file), 'utf8');
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function keysSecret(data: Record<string, string> = keyTexts): ConfigData {
  return {
    kind: 'Secret',
    metadata: { name: 'sops-keys', namespace: 'flux-system', labels: {}, annotations: {} },
    data,
    source: { file: 'clusters/dev/sops-keys.yaml', document: 0 },
  };
}

function request(opts: {
  path?: string;
  decryption?: boolean;
  secret?: ConfigData;
  annotations?: Record<string, string>;
  sourceDigest?: string;
}): RenderRequest {
  const ks = testKustomization('apps', 'flux-system', {
    path: opts.path ?? 'fleet',
    ...(opts.decryption !== false && { decryption: { provider: 'sops', secretRef: { name: 'sops-keys' } } }),
  });
  ks.metadata.annotations = opts.annotations ?? {};
  const configs = [opts.secret ?? keysSecret()];
  return {
    ks,
    sourceRoot: root,
    ...(opts.sourceDigest && { sourceDigest: opts.sourceDigest }),
    configLookup: (kind, namespace, name) =>
      configs.find((c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name),
  };
}

function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const obj = objects.find((o) => o.kind === kind && (o.metadata as { name?: string }).name === name);
  if (!obj) throw new Error(`${kind}/${name} not rendered`);
  return obj;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

function assertNoSecret(text: string): void {
  for (const key of Object.values(keyTexts))
    for (const line of key.split('\n').filter((l) => l.startsWith('AGE-SECRET-KEY') || l.length > 40))
      expect(text).not.toContain(line);
  expect(text).not.toContain('PRIVATE KEY BLOCK');
  for (const plain of PLAINTEXTS) expect(text).not.toMatch(plain);
}

describe.skipIf(!present)('Kustomization render with spec.decryption (FLUX-RENDER §4)', () => {
  it('decrypts resources (age, age post-quantum, PGP), generator files and envs, patches, nested documents and components', async () => {
    const { objects } = await renderKustomization(deps, request({}));
    for (const name of ['sops-algo-age', 'sops-algo-age-pq', 'sops-algo-pgp']) {
      const secret = find(objects, 'Secret', name);
      expect(secret.stringData).toEqual({ key: 'value' });
      expect(secret.sops).toBeUndefined();
    }
    expect(find(objects, 'Secret', 'sops-envs-secret').data).toEqual({ key: b64('value') });
    // The in-place rewrite serves the configMapGenerator reading the same file, as in Flux.
    expect(find(objects, 'ConfigMap', 'sops-envs-configmap').data).toEqual({ key: 'value' });
    expect(find(objects, 'Secret', 'sops-files-secret').data).toEqual({ key: b64('value') });
    expect(find(objects, 'ConfigMap', 'sops-files-configmap').data).toEqual({ key: 'value' });
    const patched = find(objects, 'Secret', 'sops-patches-secret');
    expect(patched.stringData).toEqual({ key: 'merge1', merge2: 'merge2' });
    expect(find(objects, 'Secret', 'sops-inside-secret').data).toEqual({ key: b64('value') });
    expect(find(objects, 'Secret', 'sops-component').data).toEqual({ key: b64('value') });
    for (const o of objects) expect(JSON.stringify(o)).not.toContain('ENC[AES256_GCM');
  });

  it('changes the render key when the keys Secret changes, from a digest only', async () => {
    const a = await renderKustomization(deps, request({ sourceDigest: 'commit-1' }));
    const b = await renderKustomization(
      deps,
      request({
        sourceDigest: 'commit-1',
        secret: keysSecret({ ...keyTexts, 'age.agekey': `# rotated\n${keyTexts['age.agekey']}` }),
      }),
    );
    expect(b.key).not.toBe(a.key);
    expect(b.cached).toBe(false);
  });

  it('names the Kustomization, the file and the fix when a key is missing, and leaks nothing', async () => {
    const { 'pgp.asc': _, ...agesOnly } = keyTexts;
    const err = await rejectionOf(renderKustomization(deps, request({ secret: keysSecret(agesOnly) })));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain('Kustomization/flux-system/apps');
    expect(err.message).toContain('fleet/algorithms/pgp.yaml');
    expect(err.message).toContain('Secret flux-system/sops-keys');
    assertNoSecret(err.message);
    assertNoSecret(JSON.stringify(err));
  });

  it('refuses a missing keys Secret by name', async () => {
    const req = request({});
    const err = await rejectionOf(renderKustomization(deps, { ...req, configLookup: () => undefined }));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain('spec.decryption.secretRef');
  });

  describe('MAC', () => {
    let tampered: string;
    beforeAll(() => {
      // Same ciphertext, one MAC-covered plaintext field added outside sops.
      tampered = mkdtempSync(join(tmpdir(), 'sluice-sops-tampered-'));
      cpSync(join(root, 'fleet/patches'), join(tampered, 'patches'), { recursive: true });
      const file = join(tampered, 'patches/merge1.yaml');
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('metadata:\n  name: secret\n');
      writeFileSync(
        file,
        text.replace(
          'metadata:\n  name: secret\n',
          'metadata:\n  name: secret\n  labels:\n    edited: "yes"\n',
        ),
      );
    });
    afterAll(() => rmSync(tampered, { recursive: true, force: true }));

    it('is verified by default, naming the file and the opt-out', async () => {
      const err = await rejectionOf(
        renderKustomization(deps, { ...request({ path: 'patches' }), sourceRoot: tampered }),
      );
      expect(err.code).toBe('MacMismatch');
      expect(err.message).toContain('Kustomization/flux-system/apps');
      expect(err.message).toContain('patches/merge1.yaml');
      expect(err.message).toContain(SOPS_VERIFY_MAC_ANNOTATION);
      assertNoSecret(err.message);
      assertNoSecret(JSON.stringify(err));
    });

    it('is skipped, as Flux does, with sluice.dev/sops-verify-mac: "false"', async () => {
      const { objects } = await renderKustomization(deps, {
        ...request({ path: 'patches', annotations: { [SOPS_VERIFY_MAC_ANNOTATION]: 'false' } }),
        sourceRoot: tampered,
      });
      const secret = find(objects, 'Secret', 'patches-secret');
      expect(secret.stringData).toEqual({ key: 'merge1', merge2: 'merge2' });
      expect((secret.metadata as { labels?: Record<string, string> }).labels?.edited).toBe('yes');
    });
  });
});

describe.skipIf(!present)('a Secret still encrypted (FLUX-RENDER §4.3)', () => {
  it('is refused without spec.decryption, naming the object and the fix, with no value in the error', async () => {
    const err = await rejectionOf(
      renderKustomization(deps, request({ path: 'fleet/algorithms', decryption: false })),
    );
    expect(err.code).toBe('DecryptionFailed');
    expect(err.message).toContain('is SOPS encrypted');
    expect(err.message).toContain('spec.decryption');
    expect(err.message).not.toContain('ENC[');
    assertNoSecret(err.message);
  });

  it('is shipped as written when opted out with kustomize.toolkit.fluxcd.io/decrypt: disabled (any case)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sops-optout-'));
    try {
      const age = readFileSync(join(vectors, 'algorithms/age.yaml'), 'utf8').replace(
        'metadata:\n  name: age',
        'metadata:\n  name: age\n  annotations:\n    kustomize.toolkit.fluxcd.io/decrypt: Disabled',
      );
      writeFileSync(join(dir, 'age.yaml'), age);
      // Decryption on, no key for it: the opted-out file is neither decrypted nor MAC-checked.
      const { objects } = await renderKustomization(deps, {
        ...request({ path: '.', secret: keysSecret({}) }),
        sourceRoot: dir,
      });
      // Opted out: shipped as written, still encrypted (Flux's choice: the cluster may decrypt it).
      expect(find(objects, 'Secret', 'age').sops).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!present)('the MAC opt-out annotation', () => {
  it('is the documented name', () => {
    expect(SOPS_VERIFY_MAC_ANNOTATION).toBe('sluice.dev/sops-verify-mac');
  });
});
