// The decryption Secret in the render: entries Sluice does not use reach the Kustomization's status as warnings
// (cached renders too), a file only Azure/GCP/Vault could open fails saying how to re-encrypt it, and a keys
// Secret that is itself SOPS-encrypted in Git is opened with the control plane's KMS (cloud) or embedded key.
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadOrCreateAgeKey } from '../../shared/adapters/sops/local-age-key.ts';
import type { ConfigData } from '../../shared/api/config-data.ts';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import { createEmbeddedSopsKeyring, createSopsKeyring } from '../../shared/config/sops-keyring.ts';
import { splitRenderedObjects } from '../../shared/core/pipeline/split-rendered-objects.ts';
import type { OtherKeyEntry } from '../../shared/core/sops/sops-metadata.ts';
import type { RenderDeps } from '../../shared/usecases/render-kustomization.ts';
import { renderKustomization } from '../../shared/usecases/render-kustomization.ts';
import { kustomizationRenderer } from '../../shared/usecases/renderers/kustomization-renderer.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';
import { testKustomization } from '../support/kustomization-fixture.ts';
import { type AgeTestKey, ageEntry, newAgeKey } from '../support/sops-keys.ts';
import {
  FleetDirs,
  keysSecret,
  kmsEntry,
  renderRequest,
  sealWith,
  secretManifest,
} from '../support/sops-kms-fleet.ts';

const dirs = new FleetDirs();
let kms: KmsServer;
let appKey: AgeTestKey;
const keyDirs: string[] = [];

beforeAll(async () => {
  [kms, appKey] = await Promise.all([startKmsServer(), newAgeKey()]);
});
afterEach(() => {
  vi.unstubAllEnvs();
  dirs.cleanup();
});
afterAll(async () => {
  await kms?.close();
  for (const d of keyDirs) rmSync(d, { recursive: true, force: true });
});

/** `apps`: a Secret sealed to the application's age key, as a fleet keeps it. */
async function appFleet(): Promise<string> {
  const secret = await sealWith(
    secretManifest('db', 'app-password'),
    'yaml',
    'secret.yaml',
    async (dataKey) => [await ageEntry(appKey.recipient, dataKey)],
    '^(data|stringData)$',
  );
  return dirs.make({ 'kustomization.yaml': 'resources: [secret.yaml]\n', 'secret.yaml': secret });
}

describe('decryption Secret entries Sluice does not use', () => {
  const renderer = kustomizationRenderer(createLocalRenderDeps());
  const record = {
    cluster: 'dev',
    kustomization: testKustomization('apps', 'flux-system', {
      path: '.',
      decryption: { provider: 'sops', secretRef: { name: 'sops-keys' } },
    }),
    sourceKey: 'GitRepository/flux-system/fleet',
    parent: null,
  };

  it('become warnings of the render, naming each entry, also when the render comes from the cache', async () => {
    const configs = [
      keysSecret({
        'identity.agekey': appKey.identity,
        'sops.azure-kv': '{"tenantId":"t","clientId":"c","clientSecret":"s"}',
        'keys.txt': appKey.identity,
      }),
    ];
    const inputs = {
      sourceRoot: await appFleet(),
      sourceDigest: `sha256:${'1'.repeat(64)}`,
      configs,
      strictSubstitution: true,
      allowRemoteBases: false,
    };
    for (let render = 0; render < 2; render++) {
      const output = await renderer.render(record, inputs);
      expect(output.objects[0]?.stringData).toEqual({ password: 'app-password' });
      expect(output.warnings).toHaveLength(2);
      expect(output.warnings?.[0]).toContain('entry keys.txt is ignored');
      expect(output.warnings?.[1]).toContain('entry sops.azure-kv is not used');
      expect(JSON.stringify(output.warnings)).not.toContain(appKey.identity);
    }
  });

  it('a Secret with only the entries Sluice reads gives no warning', async () => {
    const output = await renderer.render(record, {
      sourceRoot: await appFleet(),
      sourceDigest: `sha256:${'2'.repeat(64)}`,
      configs: [keysSecret({ 'identity.agekey': appKey.identity })],
      strictSubstitution: true,
      allowRemoteBases: false,
    });
    expect(output.warnings).toBeUndefined();
  });
});

describe('a file whose only keys are of services Sluice cannot use', () => {
  it.each([
    [
      'azure_kv',
      'Azure Key Vault',
      {
        vault_url: 'https://fleet.vault.azure.net',
        name: 'sops',
        version: 'v1',
        created_at: '2026-01-01T00:00:00Z',
      },
    ],
    [
      'gcp_kms',
      'GCP KMS',
      {
        resource_id: 'projects/p/locations/global/keyRings/r/cryptoKeys/k',
        created_at: '2026-01-01T00:00:00Z',
      },
    ],
    [
      'hc_vault',
      'HashiCorp Vault/OpenBao transit',
      {
        vault_address: 'https://vault.example',
        engine_path: 'sops',
        key_name: 'k',
        created_at: '2026-01-01T00:00:00Z',
      },
    ],
  ])('%s: fails naming the file, the key type and how to re-encrypt it', async (type, service, fields) => {
    const secret = await sealWith(
      secretManifest('db', 'cloud-password'),
      'yaml',
      'secret.yaml',
      async () => [{ type: type as OtherKeyEntry['type'], fields, enc: 'opaque-ciphertext' }],
      '^(data|stringData)$',
    );
    const root = dirs.make({ 'kustomization.yaml': 'resources: [secret.yaml]\n', 'secret.yaml': secret });
    const err = await rejectionOf(
      renderKustomization(
        createLocalRenderDeps(),
        renderRequest(root, [keysSecret({ 'identity.agekey': appKey.identity })]),
      ),
    );
    expect([err.code, err.retryable]).toEqual(['ValidationFailed', false]);
    for (const named of [
      'secret.yaml',
      `its keys there are only ${type} (${service}), which Sluice cannot use`,
      'sluice secrets encrypt PLAIN --age age1… or --kms arn:aws:kms:…',
    ])
      expect(err.message).toContain(named);
    expect(err.message).not.toContain('cloud-password');
  });
});

/**
 * The fleet's flux-system Kustomization ships the keys Secret (sealed in Git to the control plane's own key,
 * decrypted without a secretRef); `apps` then decrypts with it, as the pipeline hands rendered Secrets on.
 */
async function keysSecretFromFleet(deps: RenderDeps, sealedKeys: string): Promise<ConfigData[]> {
  const root = dirs.make({
    'kustomization.yaml': 'resources: [sops-keys.yaml]\n',
    'sops-keys.yaml': sealedKeys,
  });
  const { objects } = await renderKustomization(deps, renderRequest(root, [], null));
  return splitRenderedObjects(objects, 'Kustomization/flux-system/flux-system').configs;
}

function keysManifest(identity: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: sops-keys\n  namespace: flux-system\nstringData:\n  identity.agekey: ${identity}\n`;
}

describe('a decryption Secret that is itself SOPS-encrypted in Git', () => {
  it("cloud: opened with the control plane's KMS, then decrypts the Kustomization that names it", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_KMS', kms.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIARENDERROLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'render-role-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
    const deps = createLocalRenderDeps({ sops: createSopsKeyring({ kms: true }) });
    const { arn } = kms.createKey('SYMMETRIC_DEFAULT');
    const sealed = await sealWith(
      keysManifest(appKey.identity),
      'yaml',
      'sops-keys.yaml',
      async (dataKey) => [await kmsEntry(kms, arn, dataKey)],
      '^(data|stringData)$',
    );
    const configs = await keysSecretFromFleet(deps, sealed);
    expect(configs.map((c) => `${c.kind}/${c.metadata.name}`)).toEqual(['Secret/sops-keys']);
    expect(kms.requests.filter((r) => r.operation === 'Decrypt').at(-1)?.accessKeyId).toBe('AKIARENDERROLE');
    const { objects } = await renderKustomization(deps, renderRequest(await appFleet(), configs));
    expect(objects[0]?.stringData).toEqual({ password: 'app-password' });
  });

  it("embedded: opened with the embedded control plane's own age key, then decrypts the Kustomization", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-embedded-keys-'));
    keyDirs.push(dir);
    const own = await createEmbeddedSopsKeyring({ kms: false, keyFile: join(dir, 'keys', 'sops.agekey') });
    const deps = createLocalRenderDeps({ sops: own.keyring });
    const sealed = await sealWith(
      keysManifest(appKey.identity),
      'yaml',
      'sops-keys.yaml',
      async (dataKey) => [await ageEntry(own.recipient, dataKey)],
      '^(data|stringData)$',
    );
    const configs = await keysSecretFromFleet(deps, sealed);
    const { objects } = await renderKustomization(deps, renderRequest(await appFleet(), configs));
    expect(objects[0]?.stringData).toEqual({ password: 'app-password' });
  });

  it("embedded: the Secret's own age identities replace the embedded key, as Flux's replace the controller's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-embedded-keys-'));
    keyDirs.push(dir);
    const own = await loadOrCreateAgeKey(join(dir, 'sops.agekey'));
    const deps = createLocalRenderDeps({ sops: createSopsKeyring({ kms: false, age: own.identities }) });
    const sealedToOwn = await sealWith(
      secretManifest('db', 'own-password'),
      'yaml',
      'secret.yaml',
      async (dataKey) => [await ageEntry(own.recipient, dataKey)],
      '^(data|stringData)$',
    );
    const root = dirs.make({
      'kustomization.yaml': 'resources: [secret.yaml]\n',
      'secret.yaml': sealedToOwn,
    });
    const other = await newAgeKey();
    const err = await rejectionOf(
      renderKustomization(deps, renderRequest(root, [keysSecret({ 'identity.agekey': other.identity })])),
    );
    expect(err.message).toContain(own.recipient);
    const { objects } = await renderKustomization(
      deps,
      renderRequest(root, [keysSecret({ 'notes.txt': 'x' })]),
    );
    expect(objects[0]?.stringData).toEqual({ password: 'own-password' });
  });
});

describe('the embedded control plane key file', () => {
  it('is created once with mode 0600 and read again with the same recipient', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-embedded-keys-'));
    keyDirs.push(dir);
    const file = join(dir, 'keys', 'sops.agekey');
    const first = await loadOrCreateAgeKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.recipient).toMatch(/^age1[0-9a-z]+$/);
    expect((await loadOrCreateAgeKey(file)).recipient).toBe(first.recipient);
  });

  it('is refused when other users can read it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-embedded-keys-'));
    keyDirs.push(dir);
    const file = join(dir, 'sops.agekey');
    await loadOrCreateAgeKey(file);
    chmodSync(file, 0o644);
    const err = await rejectionOf(loadOrCreateAgeKey(file));
    expect(err.code).toBe('ConfigInvalid');
    expect(err.message).toContain(`chmod 600 ${file}`);
  });
});
