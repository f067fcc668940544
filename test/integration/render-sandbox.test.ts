// The cloud's render path: the render function never runs kustomize itself; it lends the workspace to the
// tool sandbox function through pre-signed URLs of the real local S3-compatible server and reads the output
// back. The sandbox handler runs in-process here (a stand-in for Lambda's Invoke), with the same code.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { s3Presigner } from '../../shared/adapters/aws/s3-presigner.ts';
import { SandboxKustomize } from '../../shared/adapters/aws/sandbox-kustomize.ts';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { KubectlKustomize } from '../../shared/adapters/render/kubectl-kustomize.ts';
import { runSandboxRequest, type SandboxRequest } from '../../shared/adapters/render/sandbox-request.ts';
import { resolveToolPath } from '../../shared/adapters/render/tool-paths.ts';
import { packWorkspace, unpackWorkspace } from '../../shared/adapters/render/workspace-bundle.ts';
import type { ConfigData } from '../../shared/api/config-data.ts';
import { findKustomization } from '../../shared/api/find-kustomization.ts';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import type { SluiceError } from '../../shared/core/errors.ts';
import { renderKustomization } from '../../shared/usecases/render-kustomization.ts';

const fixtures = join(import.meta.dirname, '../fixtures/render');
let server: FauxqsHandle;
let work: string;
let store: S3ObjectStore;
let presign: ReturnType<typeof s3Presigner>;
const invocations: SandboxRequest[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sluice-sandbox-'));
  server = await startFauxqs({ dataDir: join(work, 'store') });
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
  await clients.s3.send(new CreateBucketCommand({ Bucket: 'sluice' }));
  store = new S3ObjectStore(clients.s3, 'sluice');
  presign = s3Presigner(clients.s3, 'sluice');
});

afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function sandboxDeps() {
  const local = createLocalRenderDeps({ scratchDir: join(work, 'render') });
  const tool = new KubectlKustomize(resolveToolPath('kubectl'));
  const sandboxScratch = join(work, 'sandbox');
  mkdirSync(sandboxScratch, { recursive: true });
  return {
    ...local,
    kustomize: new SandboxKustomize({
      version: tool.version,
      store,
      presign,
      // What the Lambda runtime does on Invoke: hand the JSON payload to the handler's code.
      invoke: async (req) => {
        invocations.push(req);
        return runSandboxRequest(
          { kustomize: tool, scratchDir: sandboxScratch },
          JSON.parse(JSON.stringify(req)),
        );
      },
    }),
  };
}

describe('rendering through the tool sandbox function', () => {
  it('gives exactly the local render, and leaves nothing behind in the store', async () => {
    const file = join(fixtures, 'overlay/kustomization.yaml');
    const { ks, others } = findKustomization(readFileSync(file, 'utf8'), file, 'podinfo', 'flux-system');
    const configs = others.filter((o): o is ConfigData => o.kind === 'ConfigMap' || o.kind === 'Secret');
    const req = {
      ks,
      sourceRoot: join(fixtures, 'overlay/repo'),
      configLookup: (kind: string, namespace: string, name: string) =>
        configs.find(
          (c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name,
        ),
    };
    const local = await renderKustomization(createLocalRenderDeps({ scratchDir: join(work, 'render') }), req);
    const remote = await renderKustomization(sandboxDeps(), req);
    expect(remote.objects).toEqual(local.objects);
    expect(invocations.at(-1)?.inputUrl).toContain('X-Amz-Signature=');
    expect(await store.list('sandbox/')).toEqual([]);
  });

  it('passes a kustomize failure back with its code and repository paths', async () => {
    const root = join(work, 'broken');
    mkdirSync(join(root, 'app'), { recursive: true });
    writeFileSync(join(root, 'app/kustomization.yaml'), 'resources: [missing.yaml]\n');
    const { ks } = findKustomization(
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: app, namespace: flux-system}\nspec: {interval: 5m, path: ./app, prune: true, sourceRef: {kind: GitRepository, name: fleet}}\n',
      'k.yaml',
      'app',
      'flux-system',
    );
    const err = await renderKustomization(sandboxDeps(), {
      ks,
      sourceRoot: root,
      configLookup: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e as SluiceError,
    );
    expect(err?.code).toBe('KustomizeFailed');
    expect(err?.message).toContain("'missing.yaml'");
    expect(err?.message).not.toContain(work);
  });
});

describe('what travels to the sandbox', () => {
  it('is only what the build reads, not the whole repository', async () => {
    const root = join(work, 'wide');
    const files: Record<string, string> = {
      'app/kustomization.yaml': 'resources: [cm.yaml, ../base]\n',
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
      'other-team/huge.yaml': `# ${'x'.repeat(100_000)}\n`,
      'docs/readme.md': 'unrelated',
    };
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), c);
    }
    const { ks } = findKustomization(
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: app, namespace: flux-system}\nspec: {interval: 5m, path: ./app, prune: true, sourceRef: {kind: GitRepository, name: fleet}}\n',
      'k.yaml',
      'app',
      'flux-system',
    );
    const deps = sandboxDeps();
    let shipped: string[] = [];
    const inner = deps.kustomize;
    const spy = new SandboxKustomize({
      version: inner.version,
      store,
      presign,
      invoke: async (req) => {
        const body = Buffer.from(await (await fetch(req.inputUrl)).arrayBuffer());
        shipped = Object.keys(
          (JSON.parse(gunzipSync(body).toString('utf8')) as { files: object }).files,
        ).sort();
        const tool = new KubectlKustomize(resolveToolPath('kubectl'));
        return runSandboxRequest({ kustomize: tool, scratchDir: join(work, 'sandbox') }, req);
      },
    });
    const out = await renderKustomization(
      { ...deps, kustomize: spy },
      { ks, sourceRoot: root, configLookup: () => undefined },
    );
    expect(out.objects.map((o) => (o.metadata as { name?: string } | undefined)?.name)).toEqual(['a', 'b']);
    expect(shipped).toEqual([
      'app/cm.yaml',
      'app/kustomization.yaml',
      'base/cm.yaml',
      'base/kustomization.yaml',
    ]);
  });
});

describe('the workspace bundle is hostile input to the sandbox', () => {
  const bundle = (files: Record<string, string>, links: Record<string, string> = {}) =>
    gzipSync(JSON.stringify({ version: 1, buildDir: 'app', files, links }));

  it.each([
    ['a path climbing out', bundle({ '../../etc/cron.d/x': 'evil' })],
    ['an absolute path', bundle({ '/etc/x': 'evil' })],
    ['an absolute link', bundle({ 'app/kustomization.yaml': '' }, { 'app/l': '/etc' })],
    ['a link climbing out', bundle({ 'app/kustomization.yaml': '' }, { 'app/l': '../../..' })],
    // Each link alone stays inside; together they climb out of the workspace.
    ['a chain of links', bundle({ 'app/kustomization.yaml': '' }, { 'a/b': '..', c: 'a/b/..' })],
  ])('%s is refused', (_name, data) => {
    const dest = mkdtempSync(join(work, 'unpack-'));
    let code: string | undefined;
    try {
      unpackWorkspace(data, dest);
    } catch (err) {
      code = (err as SluiceError).code;
    }
    expect(code).toBe('PathEscapesRoot');
  });

  it('packs the overlay by following its links into the snapshot only', () => {
    const snapshot = join(work, 'snap');
    const overlay = join(work, 'overlay');
    for (const [p, c] of Object.entries({ 'app/cm.yaml': 'x', 'base/k.yaml': 'y' })) {
      mkdirSync(dirname(join(snapshot, p)), { recursive: true });
      writeFileSync(join(snapshot, p), c);
    }
    mkdirSync(join(overlay, 'app'), { recursive: true });
    symlinkSync(join(snapshot, 'base'), join(overlay, 'base'));
    symlinkSync(join(snapshot, 'app/cm.yaml'), join(overlay, 'app/cm.yaml'));
    symlinkSync('/etc/passwd', join(overlay, 'app/passwd'));
    writeFileSync(join(overlay, 'app/kustomization.yaml'), 'resources: [cm.yaml]\n');
    const dest = mkdtempSync(join(work, 'unpacked-'));
    const buildDir = unpackWorkspace(packWorkspace(overlay, join(overlay, 'app'), [snapshot]), dest);
    expect(buildDir).toBe(join(dest, 'app'));
    expect(readFileSync(join(dest, 'base/k.yaml'), 'utf8')).toBe('y');
    expect(readFileSync(join(dest, 'app/cm.yaml'), 'utf8')).toBe('x');
    expect(() => readFileSync(join(dest, 'app/passwd'))).toThrow();
  });
});
