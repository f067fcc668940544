// A generator file in the sops binary store whose content is not UTF-8 (a keystore, say) reaches the
// rendered Secret byte for byte, as `sops -d` would write it, when its Kustomization decrypts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigData } from '../../shared/api/config-data.ts';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import { renderKustomization } from '../../shared/usecases/render-kustomization.ts';
import { testKustomization } from '../support/kustomization-fixture.ts';
import { runCli } from '../support/run-cli.ts';
import { type AgeTestKey, newAgeKey } from '../support/sops-keys.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-sops-binary-'));
const deps = createLocalRenderDeps({ scratchDir: join(root, 'scratch') });
const BYTES = Buffer.concat([
  Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
  Buffer.from('keystore-canary'),
  Buffer.from([0x0a, 0xf8, 0x88, 0x80]),
]);
let age: AgeTestKey;

beforeAll(async () => {
  age = await newAgeKey();
  const app = join(root, 'fleet', 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'keystore.p12'), BYTES);
  const run = await runCli(['secrets', 'encrypt', join(app, 'keystore.p12'), '--age', age.recipient], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: root, XDG_CONFIG_HOME: join(root, 'config') },
  });
  expect(run.stderr).toBe('');
  writeFileSync(join(app, 'keystore.p12'), run.stdout);
  writeFileSync(
    join(app, 'kustomization.yaml'),
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: apps\ngeneratorOptions:\n  disableNameSuffixHash: true\nsecretGenerator:\n  - name: keystore\n    files: [keystore.p12]\n',
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a binary generator file that is not UTF-8', () => {
  it('is decrypted byte for byte into the generated Secret', async () => {
    const ks = testKustomization('apps', 'flux-system', {
      path: 'fleet/app',
      decryption: { provider: 'sops', secretRef: { name: 'sops-keys' } },
    });
    const keys: ConfigData = {
      kind: 'Secret',
      metadata: { name: 'sops-keys', namespace: 'flux-system', labels: {}, annotations: {} },
      data: { 'age.agekey': age.identity },
      source: { file: 'clusters/dev/sops-keys.yaml', document: 0 },
    };
    const { objects } = await renderKustomization(deps, {
      ks,
      sourceRoot: root,
      configLookup: (kind, namespace, name) =>
        kind === 'Secret' && namespace === 'flux-system' && name === 'sops-keys' ? keys : undefined,
    });
    const secret = objects.find((o) => o.kind === 'Secret') as { data?: Record<string, string> } | undefined;
    expect(Buffer.from(secret?.data?.['keystore.p12'] ?? '', 'base64').equals(BYTES)).toBe(true);
  });
});
