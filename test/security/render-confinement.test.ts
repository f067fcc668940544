// A commit must not make kustomize read the render host or reach the network: what an attacker who can
// commit to a rendered repository tries, through the render use-case and the real kustomize.

import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicRemoteBases } from '../../shared/adapters/net/remote-base-policy.ts';
import { ConfinedProcess } from '../../shared/adapters/render/confined-process.ts';
import { KubectlKustomize } from '../../shared/adapters/render/kubectl-kustomize.ts';
import { resolveToolPath } from '../../shared/adapters/render/tool-paths.ts';
import type { Kustomization } from '../../shared/api/kustomization.ts';
import { createLocalRenderDeps, type LocalRenderOptions } from '../../shared/config/render-deps.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import { objectsToYaml } from '../../shared/core/render/yaml-codec.ts';
import { renderKustomization } from '../../shared/usecases/render-kustomization.ts';
import { rejectionOf } from '../support/error-of.ts';
import { testKustomization } from '../support/kustomization-fixture.ts';

const SECRET = 'BEGIN-SIGNING-KEY-canary-7f3a';
let work: string;
let secretFile: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sluice-sec-render-'));
  // Stands in for the control plane's data directory: the signing key lives beside the snapshots.
  secretFile = join(work, 'data/keys/signing-key.pem');
  mkdirSync(dirname(secretFile), { recursive: true });
  writeFileSync(secretFile, SECRET);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let repoCount = 0;
/** A snapshot directory with the given files (string = content, {link} = symlink). */
function repo(files: Record<string, string | { link: string }>): string {
  const root = join(work, `repo-${++repoCount}`);
  for (const [path, node] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    if (typeof node === 'string') writeFileSync(full, node);
    else symlinkSync(node.link, full);
  }
  return root;
}

function ks(path = './app'): Kustomization {
  return testKustomization('tenant', 'tenant-a', {
    sourceRef: { kind: 'GitRepository', name: 'tenant' },
    path,
  });
}

async function render(
  root: string,
  opts: LocalRenderOptions = {},
  extra: { allowRemoteBases?: boolean } = {},
) {
  const deps = createLocalRenderDeps({ scratchDir: join(work, 'scratch'), ...opts });
  return renderKustomization(deps, {
    ks: ks(),
    sourceRoot: root,
    sourceDigest: 'sha256:test',
    configLookup: () => undefined,
    strict: false,
    ...extra,
  });
}

const failure = rejectionOf;

const gen = (body: string) => `apiVersion: builtin\nkind: ${body}`;

describe('a commit cannot read files on the render host', () => {
  const attacks: { name: string; files: () => Record<string, string | { link: string }> }[] = [
    {
      name: 'a ConfigMapGenerator plugin config file naming the signing key by absolute path',
      files: () => ({
        'app/kustomization.yaml': 'generators: [gen.yaml]\n',
        'app/gen.yaml': gen(`ConfigMapGenerator\nmetadata: {name: stolen}\nfiles: [${secretFile}]\n`),
      }),
    },
    {
      name: 'an inline SecretGenerator reading the key through ../',
      files: () => ({
        'app/kustomization.yaml': `generators:\n- |\n  ${gen('SecretGenerator\n  metadata: {name: s}\n  files: [k=../../data/keys/signing-key.pem]\n')}`,
      }),
    },
    {
      name: 'a plugin config in a directory listed in transformers',
      files: () => ({
        'app/kustomization.yaml': 'resources: [cm.yaml]\ntransformers: [plugins]\n',
        'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
        'app/plugins/kustomization.yaml': 'resources: [patch.yaml]\n',
        'app/plugins/patch.yaml': gen(`PatchTransformer\nmetadata: {name: p}\npath: ${secretFile}\n`),
      }),
    },
    {
      name: 'a generator directory that patches its plugin config after the fact',
      files: () => ({
        'app/kustomization.yaml': 'generators: [plugins]\n',
        'app/plugins/kustomization.yaml': `resources: [gen.yaml]\npatches:\n- target: {kind: ConfigMapGenerator}\n  patch: '[{"op":"add","path":"/files/0","value":"${secretFile}"}]'\n`,
        'app/plugins/gen.yaml': gen('ConfigMapGenerator\nmetadata: {name: stolen}\nfiles: [ok.txt]\n'),
        'app/plugins/ok.txt': 'fine',
      }),
    },
    {
      name: 'a generator file reached through a chain of symlinks that leaves the repository',
      files: () => ({
        'app/kustomization.yaml': 'generators: [gen.yaml]\n',
        'app/gen.yaml': gen('ConfigMapGenerator\nmetadata: {name: stolen}\nfiles: [a/signing-key.pem]\n'),
        'app/a': { link: 'b' },
        'app/b': { link: '../c' },
        c: { link: dirname(secretFile) },
      }),
    },
    {
      name: 'a symlink chain that looks inside when `..` is folded first, but climbs out as the kernel resolves it',
      files: () => ({
        'app/kustomization.yaml': 'configMapGenerator:\n- name: stolen\n  files: [c/signing-key.pem]\n',
        // app/a/b is the repository root; `a/b/..` is then its parent, where the data directory lives.
        'app/a/b': { link: '../..' },
        'app/c': { link: 'a/b/../data/keys' },
      }),
    },
    {
      name: 'a YAML merge key carrying the generator files (kustomize resolves <<, the guard must not miss it)',
      files: () => ({
        'app/kustomization.yaml': `configMapGenerator:\n- <<: {name: stolen, files: [${secretFile}]}\n`,
      }),
    },
    {
      name: 'a field name in another case in a base (kustomize matches names case-insensitively)',
      files: () => ({
        'app/kustomization.yaml': 'resources: [../base]\n',
        'base/kustomization.yaml': `ConfigMapGenerator:\n- name: stolen\n  Files: [${secretFile}]\n`,
      }),
    },
    {
      name: 'a field name with a Unicode letter Go folds to ASCII (ſ for s)',
      files: () => ({
        'app/kustomization.yaml': `configMapGenerator:\n- name: stolen\n  file\u017f: [${secretFile}]\n`,
      }),
    },
    {
      name: 'a plugin config field in another case',
      files: () => ({
        'app/kustomization.yaml': 'generators: [gen.yaml]\n',
        'app/gen.yaml': gen(`ConfigMapGenerator\nmetadata: {name: stolen}\nFiles: [${secretFile}]\n`),
      }),
    },
    {
      name: 'a one-line inline generator (kustomize tries every entry as YAML first)',
      files: () => ({
        'app/kustomization.yaml': `generators:\n- "{apiVersion: builtin, kind: ConfigMapGenerator, metadata: {name: stolen}, files: [${secretFile}]}"\n`,
      }),
    },
  ];

  it.each(attacks)('$name is refused before kustomize runs, and the key appears nowhere', async (c) => {
    // Without the sandbox: the guard alone must stop it (the cloud's sandbox function has no bubblewrap).
    const err = await failure(render(repo(c.files()), { sandbox: 'none' }));
    expect(['PathEscapesRoot', 'BuildFailed']).toContain(err.code);
    expect(JSON.stringify({ m: err.message, c: String(err.cause ?? '') })).not.toContain(SECRET);
  });

  it('the environment of the control plane never reaches kustomize, even with remote bases enabled', async () => {
    // A dotenv line with only a key makes kustomize copy that variable from its own environment.
    process.env.SLUICE_CANARY_TOKEN = SECRET;
    try {
      const root = repo({
        'app/kustomization.yaml': 'configMapGenerator:\n- name: env\n  envs: [vars.env]\n',
        'app/vars.env': 'SLUICE_CANARY_TOKEN\nAWS_SECRET_ACCESS_KEY\n',
      });
      for (const allowRemoteBases of [false, true]) {
        const out = await render(
          root,
          { remotePolicy: { assertAllowed: async () => undefined } },
          { allowRemoteBases },
        );
        expect(objectsToYaml(out.objects)).not.toContain(SECRET);
      }
    } finally {
      delete process.env.SLUICE_CANARY_TOKEN;
    }
  });
});

describe('remote references', () => {
  it('are refused when remote bases are enabled but no address policy can check them', async () => {
    const root = repo({ 'app/kustomization.yaml': 'resources: [https://example.com/x.yaml]\n' });
    expect((await failure(render(root, {}, { allowRemoteBases: true }))).code).toBe('RemoteBaseDisabled');
  });

  it('go through the address policy, which can refuse them, before kustomize runs', async () => {
    const root = repo({ 'app/kustomization.yaml': 'resources: [https://metadata.internal/x.yaml]\n' });
    const seen: string[] = [];
    const remotePolicy = {
      assertAllowed: async (ref: string) => {
        seen.push(ref);
        throw new SluiceError('SourceAddressRefused', 'refused by policy');
      },
    };
    const err = await failure(render(root, { remotePolicy }, { allowRemoteBases: true }));
    expect(err.code).toBe('SourceAddressRefused');
    expect(seen).toEqual(['https://metadata.internal/x.yaml']);
  });
});

describe('remote bases, when enabled, reach public https addresses only', () => {
  it.each([
    ['loopback', 'https://127.0.0.1:9/x.yaml'],
    ['the instance metadata endpoint', 'https://169.254.169.254/latest/meta-data'],
    ['a private address in a github.com-style shorthand', 'git::https://10.0.0.1/org/repo//base'],
    ['a host name that resolves to loopback', 'https://localhost/x.yaml'],
  ])('%s is refused before kustomize runs', async (_name, url) => {
    const root = repo({ 'app/kustomization.yaml': `resources: [${url}]\n` });
    const remotePolicy = publicRemoteBases([], 'SLUICE_ALLOWED_SOURCE_HOSTS');
    const err = await failure(render(root, { remotePolicy }, { allowRemoteBases: true }));
    expect(err.code).toBe('SourceAddressRefused');
  });
});

describe('the render key covers what plugin configurations read', () => {
  it('a change to a file only a generator config names renders again', async () => {
    const root = repo({
      'app/kustomization.yaml': 'generators: [gen.yaml]\n',
      'app/gen.yaml': gen('ConfigMapGenerator\nmetadata: {name: settings}\nfiles: [data/value.txt]\n'),
      'app/data/value.txt': 'one',
    });
    const deps = createLocalRenderDeps({ scratchDir: join(work, 'scratch') });
    const req = {
      ks: ks(),
      sourceRoot: root,
      sourceDigest: 'sha256:same-commit',
      configLookup: () => undefined,
    };
    const first = await renderKustomization(deps, req);
    writeFileSync(join(root, 'app/data/value.txt'), 'two');
    const second = await renderKustomization(deps, req);
    expect(second.key).not.toBe(first.key);
    expect(second.cached).toBe(false);
    expect(objectsToYaml(second.objects)).toContain('two');
  });
});

describe('every kustomize run is bounded', () => {
  it('a billion-laughs resource file is stopped at the memory limit with a permanent error', async () => {
    let doc =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++)
      doc += `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]\n`;
    const root = repo({ 'app/kustomization.yaml': 'resources: [bomb.yaml]\n', 'app/bomb.yaml': doc });
    const err = await failure(render(root, { limits: { memoryBytes: 768 * 1024 ** 2, timeoutMs: 60_000 } }));
    expect(err.code).toBe('RenderLimitExceeded');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Kustomization/tenant-a/tenant');
  });

  it('a run past the time limit is stopped with a permanent error', async () => {
    const root = repo({
      'app/kustomization.yaml': 'resources: [cm.yaml]\n',
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
    });
    const err = await failure(render(root, { limits: { timeoutMs: 1 } }));
    expect(err.code).toBe('RenderLimitExceeded');
    expect(err.message).toContain('ran longer than');
  });

  it('output past the output limit is stopped with a permanent error', async () => {
    const root = repo({
      'app/kustomization.yaml': 'resources: [cm.yaml]\n',
      'app/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  big: "${'x'.repeat(4096)}"\n`,
    });
    const err = await failure(render(root, { limits: { maxOutputBytes: 1024 } }));
    expect(err.code).toBe('RenderLimitExceeded');
  });
});

describe('the embedded control plane insists on the sandbox', () => {
  it('refuses to run kustomize unconfined unless told to, naming the package and the opt-out', () => {
    const host = new ConfinedProcess('bwrap', { bwrapPaths: [join(work, 'no-bwrap-here')] });
    let err: SluiceError | undefined;
    try {
      host.mode();
    } catch (e) {
      err = e as SluiceError;
    }
    expect(err?.code).toBe('SandboxUnavailable');
    expect(err?.message).toContain('apt-get install bubblewrap');
    expect(err?.message).toContain('--render-sandbox none');
    expect(new ConfinedProcess('auto', { bwrapPaths: [join(work, 'no-bwrap-here')] }).mode()).toBe('process');
  });
});

// Defence in depth: even if the guard missed a path, the tool itself sees only the snapshot and no network.
const sandboxed = new ConfinedProcess('auto');
const hasBwrap = existsSync('/usr/bin/bwrap') && sandboxed.mode() === 'bwrap';
if (!hasBwrap)
  console.warn(
    'skipping sandbox tests: bubblewrap (Debian package bubblewrap) is not installed or cannot run here',
  );

describe.skipIf(!hasBwrap)(
  'inside the bubblewrap sandbox (kustomize called directly, without the guard)',
  () => {
    const kustomize = () =>
      new KubectlKustomize(resolveToolPath('kubectl'), { confined: new ConfinedProcess('bwrap') });
    let server: Server;
    let port = 0;
    let hits = 0;

    beforeAll(async () => {
      server = createServer((_req, res) => {
        hits++;
        res.end('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fetched}\n');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('the signing key is not readable by the tool', async () => {
      const root = repo({
        'app/kustomization.yaml': `configMapGenerator:\n- name: stolen\n  files: [${secretFile}]\n`,
      });
      const err = await failure(
        kustomize().build(join(root, 'app'), { allowRemoteBases: false, displayPaths: {}, readable: [root] }),
      );
      expect(err.code).toBe('KustomizeFailed');
      expect(err.message).not.toContain(SECRET);
    });

    it('a loopback address is unreachable (Go never sends it through the closed proxy)', async () => {
      const root = repo({ 'app/kustomization.yaml': `resources: [http://127.0.0.1:${port}/cm.yaml]\n` });
      const err = await failure(
        kustomize().build(join(root, 'app'), { allowRemoteBases: false, displayPaths: {}, readable: [root] }),
      );
      expect(err.code).toBe('KustomizeFailed');
      expect(hits).toBe(0);
    });
  },
);
