// SOPS in the Kustomization render, asserted end to end: a Secret still encrypted is refused (never shipped),
// every decryption failure names the Kustomization and file with no plaintext, key or data key in its message,
// fields, cause chain or any log line, and kustomize's workspace holds decrypted files but never a key.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { packWorkspace } from '../../shared/adapters/render/workspace-bundle.ts';
import type { ConfigData } from '../../shared/api/config-data.ts';
import { SOPS_VERIFY_MAC_ANNOTATION } from '../../shared/api/kustomization.ts';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import { isSluiceError, type SluiceError } from '../../shared/core/errors.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { loadPlainFile, sealLoadedFile } from '../../shared/core/sops/encrypt-sops-file.ts';
import type { SopsFormat } from '../../shared/core/sops/store.ts';
import type { KustomizeRunner } from '../../shared/ports/kustomize-runner.ts';
import { type RenderRequest, renderKustomization } from '../../shared/usecases/render-kustomization.ts';
import { rejectionOf } from '../support/error-of.ts';
import { testKustomization } from '../support/kustomization-fixture.ts';
import { type AgeTestKey, ageEntry, newAgeKey } from '../support/sops-keys.ts';

const CANARY = 'hunter2-render-sops-canary';
const deps = createLocalRenderDeps({ scratchDir: join(tmpdir(), 'sluice-render-sops-security') });
let key: AgeTestKey;
let otherKey: AgeTestKey;
let dataKeyHex: string;
const roots: string[] = [];
const logged: string[] = [];

async function seal(plain: string, format: SopsFormat, file: string, regex?: string): Promise<string> {
  const dataKey = randomBytes(32);
  dataKeyHex = dataKey.toString('hex');
  return sealLoadedFile(loadPlainFile(plain, format, file), format, {
    dataKey,
    keyGroups: [[await ageEntry(key.recipient, dataKey)]],
    rules: regex ? { encryptedRegex: regex } : {},
    now: new Date('2026-01-02T03:04:05Z'),
    random: (n) => randomBytes(n),
    fileName: file,
  });
}

/** A fleet with an encrypted resource, dotenv generator and nested Secret document, each holding CANARY. */
async function fleet(files: Record<string, string>): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-sops-fleet-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

async function standardFleet(): Promise<string> {
  const secret = await seal(
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${CANARY}\n`,
    'yaml',
    'secret.yaml',
    '^(data|stringData)$',
  );
  const env = await seal(`PASSWORD=${CANARY}\n`, 'dotenv', 'app.env');
  return fleet({
    'kustomization.yaml':
      'resources: [secret.yaml]\ngeneratorOptions: {disableNameSuffixHash: true}\nsecretGenerator:\n- name: app\n  envs: [app.env]\n',
    'secret.yaml': secret,
    'app.env': env,
  });
}

function keysSecret(identity: string): ConfigData {
  return {
    kind: 'Secret',
    metadata: { name: 'sops-keys', namespace: 'flux-system', labels: {}, annotations: {} },
    data: { 'identity.agekey': `${identity}\n` },
    source: { file: 'clusters/dev/sops-keys.yaml', document: 0 },
  };
}

function request(
  root: string,
  opts: { decrypt?: boolean; identity?: string; noMac?: boolean } = {},
): RenderRequest {
  const ks = testKustomization('apps', 'flux-system', {
    path: '.',
    ...(opts.decrypt !== false && { decryption: { provider: 'sops', secretRef: { name: 'sops-keys' } } }),
  });
  if (opts.noMac) ks.metadata.annotations = { [SOPS_VERIFY_MAC_ANNOTATION]: 'false' };
  const configs = [keysSecret(opts.identity ?? key.identity)];
  return {
    ks,
    sourceRoot: root,
    configLookup: (kind, namespace, name) =>
      configs.find((c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name),
  };
}

/** Message, fields, cause chain and inspected form: none may carry the plaintext, a key or the data key. */
function assertNoLeak(err: SluiceError): void {
  expect(isSluiceError(err)).toBe(true);
  const forms = [err.message, JSON.stringify(err), inspect(err, { depth: 10 }), ...logged];
  for (let cause: unknown = err.cause; cause; cause = (cause as { cause?: unknown }).cause)
    forms.push(String((cause as Error).message), inspect(cause, { depth: 10 }));
  for (const text of forms) {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(key.identity);
    expect(text).not.toContain(otherKey.identity);
    expect(text).not.toContain(dataKeyHex);
    expect(text).not.toContain(Buffer.from(CANARY).toString('base64'));
  }
  expect(err.message).toContain('Kustomization/flux-system/apps');
}

beforeAll(async () => {
  key = await newAgeKey();
  otherKey = await newAgeKey();
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => inspect(a)).join(' '));
    });
});
afterEach(() => {
  logged.length = 0;
});
afterAll(() => {
  vi.restoreAllMocks();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('SOPS in the Kustomization render (security)', () => {
  it('decrypts with the right key (the canary is where it belongs, and only there)', async () => {
    const { objects } = await renderKustomization(deps, request(await standardFleet()));
    const byName = (n: string) =>
      objects.find((o) => (o.metadata as { name: string }).name === n) as KubeObject;
    expect(byName('db').stringData).toEqual({ password: CANARY });
    expect(byName('app').data).toEqual({ PASSWORD: Buffer.from(CANARY).toString('base64') });
    expect(logged).toEqual([]);
  });

  it('refuses a Secret still encrypted when the Kustomization has no spec.decryption: never shipped', async () => {
    const err = await rejectionOf(
      renderKustomization(deps, request(await standardFleet(), { decrypt: false })),
    );
    expect(err.code).toBe('DecryptionFailed');
    expect(err.message).toContain('is SOPS encrypted');
    expect(err.message).not.toContain('ENC[');
    assertNoLeak(err);
  });

  it('a wrong key fails naming the file and the Secret to fix, leaking nothing', async () => {
    const err = await rejectionOf(
      renderKustomization(deps, request(await standardFleet(), { identity: otherKey.identity })),
    );
    expect(err.message).toContain('Secret flux-system/sops-keys');
    expect(err.message).toMatch(/app\.env|secret\.yaml/);
    assertNoLeak(err);
  });

  it('a MAC mismatch in a resource as committed fails naming the opt-out, leaking nothing', async () => {
    const root = await standardFleet();
    const secret = join(root, 'secret.yaml');
    // A MAC-covered plaintext field changed outside sops.
    writeFileSync(secret, readFileSync(secret, 'utf8').replace('name: db', 'name: dc'));
    const err = await rejectionOf(renderKustomization(deps, request(root)));
    expect(err.code).toBe('MacMismatch');
    expect(err.message).toContain('secret.yaml');
    expect(err.message).toContain(SOPS_VERIFY_MAC_ANNOTATION);
    assertNoLeak(err);
    // Opted out, as Flux: the changed name is shipped, the value decrypted.
    const { objects } = await renderKustomization(deps, request(root, { noMac: true }));
    expect(objects.find((o) => (o.metadata as { name: string }).name === 'dc')?.stringData).toEqual({
      password: CANARY,
    });
  });

  it('a nested document under a binary key that is no binary envelope fails, leaking nothing', async () => {
    const doc = await seal(`password: ${CANARY}\n`, 'yaml', 'nested.yaml');
    const root = await fleet({
      'kustomization.yaml': 'resources: [nested.yaml]\n',
      'nested.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: nested\ndata:\n  token: ${Buffer.from(doc).toString('base64')}\n`,
    });
    const err = await rejectionOf(renderKustomization(deps, request(root)));
    expect(err.code).toBe('DecryptionFailed');
    expect(err.message).toContain('Secret/nested data.token');
    assertNoLeak(err);
  });

  it("kustomize's workspace (as the cloud sandbox receives it) holds the decrypted inputs and never a key", async () => {
    const bundles: string[] = [];
    // The sandbox adapter's own packing, then the real kustomize: what the cloud's tool sandbox would get.
    const packing: KustomizeRunner = {
      version: deps.kustomize.version,
      async build(dir, opts) {
        const [root = dir, ...snapshot] = opts.readable ?? [dir];
        const only =
          opts.inputs && snapshot[0] ? { only: { sourceRoot: snapshot[0], files: opts.inputs } } : {};
        bundles.push(gunzipSync(packWorkspace(root, dir, snapshot, only)).toString('utf8'));
        return deps.kustomize.build(dir, opts);
      },
    };
    await renderKustomization({ ...deps, kustomize: packing }, request(await standardFleet()));
    expect(bundles).toHaveLength(1);
    const files = (JSON.parse(bundles[0] ?? '{}') as { files: Record<string, string> }).files;
    const decoded = Object.fromEntries(
      Object.entries(files).map(([p, b]) => [p, Buffer.from(b, 'base64').toString('utf8')]),
    );
    expect(decoded['app.env']).toBe(`PASSWORD=${CANARY}\n`);
    for (const text of Object.values(decoded)) {
      expect(text).not.toContain(key.identity);
      expect(text).not.toContain('AGE-SECRET-KEY');
      expect(text).not.toContain(dataKeyHex);
    }
  });
});
