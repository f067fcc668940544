// The puller ships alone: its bundle, copied into an empty directory (no node_modules beside it), starts
// with only its environment, pulls a signed artifact from the local S3/SQS server and applies it to the
// test Kubernetes API server — and carries none of the control plane's packages.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePuller, type PullerBundle } from '../../puller/build/bundle-puller.ts';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { LocalDataKeys } from '../../shared/adapters/local/local-data-keys.ts';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.ts';
import { ARTIFACT_API, type ArtifactPayload, artifactKey } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { sealArtifact } from '../../shared/core/secrets/seal-artifact.ts';
import { SecretCipher } from '../../shared/core/secrets/secret-cipher.ts';
import { putJson } from '../../shared/ports/object-store.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import { widgetCrd } from '../support/widget-crd.ts';

const BUCKET = 'sluice';
const PREFIX = 'sluice-bundle';
const CLUSTER = 'edge';
let dir: string;
let bundle: PullerBundle;
let fauxqs: FauxqsHandle;
let kube: KubeApiServer;
let puller: ChildProcess | undefined;
let logs = '';
let crd: KubeObject;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-puller-bundle-'));
  // Built as the image's build stage does it (`node puller/build/bundle-puller.ts <out>`), then asked for
  // what went in.
  const script = join(import.meta.dirname, '../../puller/build/bundle-puller.ts');
  execFileSync(process.execPath, [script, join(dir, 'image', 'puller.cjs')]);
  bundle = {
    ...(await bundlePuller(join(dir, 'inspect', 'puller.cjs'))),
    file: join(dir, 'image', 'puller.cjs'),
  };
  // The embedded store answers KMS Decrypt beside S3 and SQS: the bundle's KMS client opens the cluster's
  // data key there, as it would at AWS.
  const dataKeys = new LocalDataKeys(join(dir, 'keys', 'data-wrapping-key'));
  fauxqs = await startFauxqs({ kms: dataKeys });
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: fauxqs.endpoint,
    credentials: fauxqs.credentials,
  });
  await ensureInfrastructure(clients, defaultQueueNames(PREFIX), [CLUSTER], BUCKET);
  kube = await startKubeApiServer({ namespaces: ['apps'] });
  writeFileSync(join(dir, 'kubeconfig'), kube.kubeconfig());

  // A signed artifact for the cluster, as the control plane would publish it.
  const keys = new LocalKeyService(join(dir, 'keys', 'signing.pem'));
  const target = { namespace: 'flux-system', name: 'apps' };
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'from-bundle', namespace: 'apps' },
    data: { a: '1' },
  };
  setOwnerLabels(cm, target);
  // Sent as given: a CRD's schema extensions and a field no client-node model knows reach the API server.
  crd = widgetCrd();
  setOwnerLabels(crd, target);
  const future = { ...cm, metadata: { name: 'future', namespace: 'apps' }, fieldFromTheFuture: 'kept' };
  setOwnerLabels(future, target);
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'sealed', namespace: 'apps' },
    data: { password: Buffer.from('opened-by-the-bundle').toString('base64') },
  };
  setOwnerLabels(secret, target);
  const payload: ArtifactPayload = {
    apiVersion: ARTIFACT_API,
    kind: 'Artifact',
    cluster: CLUSTER,
    kustomization: target,
    target: { kind: 'Kustomization', ...target },
    generation: { fleet: 1, source: 1 },
    sequence: 1,
    source: { url: 'https://git.example.com/fleet.git', revision: `main@sha1:${'1'.padStart(40, '0')}` },
    renderKey: 'sha256:bundle',
    apply: { prune: true, wait: false, force: false, timeoutMs: 60_000, intervalMs: 60_000, dependsOn: [] },
    objects: [crd, cm, future, secret],
  };
  const { key, wrapped } = await dataKeys.generate(CLUSTER);
  const signed = await signArtifact(sealArtifact(payload, new SecretCipher(key), wrapped), keys);
  const store = new S3ObjectStore(clients.s3, BUCKET);
  await putJson(store, artifactKey(CLUSTER, signed.digest), signed);
  const entry: IndexEntry = {
    target: kustomizationTarget(target),
    generation: payload.generation,
    sequence: 1,
    revision: payload.source.revision,
    renderKey: payload.renderKey,
    publishedAt: new Date().toISOString(),
    digest: signed.digest,
    artifactKey: artifactKey(CLUSTER, signed.digest),
  };
  await putJson(store, stateKeys.index(CLUSTER, kustomizationTarget(target)), entry);

  // Only the puller's documented settings, nothing inherited from this process.
  puller = spawn(process.execPath, [bundle.file], {
    cwd: join(dir, 'image'),
    env: {
      PATH: process.env.PATH ?? '',
      SLUICE_CLUSTER: CLUSTER,
      SLUICE_BUCKET: BUCKET,
      SLUICE_QUEUE_PREFIX: PREFIX,
      SLUICE_PUBLIC_KEY: await keys.publicKeyPem(),
      SLUICE_AWS_ENDPOINT: fauxqs.endpoint,
      SLUICE_INVENTORY_NAMESPACE: 'sluice-system',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: fauxqs.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: fauxqs.credentials.secretAccessKey,
      KUBECONFIG: join(dir, 'kubeconfig'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  puller.stdout?.on('data', (c: Buffer) => {
    logs += c.toString();
  });
  puller.stderr?.on('data', (c: Buffer) => {
    logs += c.toString();
  });
});

afterAll(async () => {
  puller?.kill('SIGTERM');
  await kube?.close();
  await fauxqs?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the bundled puller', () => {
  it('carries none of the control plane packages', () => {
    for (const pkg of [
      'fauxqs',
      'isomorphic-git',
      '@aws-cdk/lambda-layer-kubectl-v33',
      'sst',
      'yaml',
      '@middy/core',
    ])
      expect(bundle.packages).not.toContain(pkg);
    expect(bundle.packages).toContain('@kubernetes/client-node');
  });

  it("keeps out what client-node offers and the puller never uses (exec, attach, port-forward and cp's web sockets and tar)", () => {
    for (const pkg of ['ws', 'isomorphic-ws', 'tar-fs', 'tar-stream', 'form-data'])
      expect(bundle.packages).not.toContain(pkg);
  });

  it('keeps of undici only what client-node calls (no mock agents, SQLite cache store or Milo parser)', () => {
    const source = readFileSync(bundle.file, 'utf8');
    expect(bundle.packages).toContain('undici');
    // Strings only those parts of undici carry: mock-agents' error, the SQLite cache's schema, Milo's switch.
    for (const marker of ['MockNotMatchedError', 'CREATE TABLE', 'UNDICI_USE_MILO'])
      expect(source).not.toContain(marker);
  });

  it('keeps of the S3 and SQS clients only the operations the puller calls (their ES module builds)', () => {
    const source = readFileSync(bundle.file, 'utf8');
    // Commands of the two services that the puller never sends.
    for (const marker of [
      'PutBucketLifecycleConfigurationCommand',
      'SelectObjectContentCommand',
      'ListQueueTagsCommand',
    ])
      expect(source).not.toContain(marker);
  });

  it("leaves out client-node's generated models (the puller sends and reads objects as they are)", () => {
    const source = readFileSync(bundle.file, 'utf8');
    // Names only the models' field tables carry.
    for (const marker of ['xKubernetesPreserveUnknownFields', 'terminationGracePeriodSeconds'])
      expect(source).not.toContain(marker);
  });

  it("carries undici's HTTP/1 parser as WebAssembly files beside it, not as base64 in its source", () => {
    // '\0asm' in base64: the start of every WebAssembly module held as text.
    expect(readFileSync(bundle.file, 'utf8')).not.toContain('AGFzbQ');
    for (const file of ['llhttp.wasm', 'llhttp_simd.wasm'])
      expect(
        readFileSync(join(dir, 'image', file))
          .subarray(0, 4)
          .toString('latin1'),
      ).toBe('\0asm');
  });

  it('is plain ASCII, so V8 keeps its source at one byte a character', () => {
    expect(readFileSync(bundle.file, 'utf8')).toMatch(/^[\0-\x7f]*$/);
  });

  it('runs from an empty directory and applies a signed artifact (its parser read from those files: the test API server speaks HTTP/1)', async () => {
    let found: unknown;
    for (let i = 0; i < 150 && !found; i++) {
      await new Promise((r) => setTimeout(r, 100));
      found = kube.object('v1', 'ConfigMap', 'from-bundle', 'apps');
    }
    expect(found, logs).toBeDefined();
    const stored = kube.object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com');
    expect(stored?.spec).toEqual(crd.spec);
    expect(kube.object('v1', 'ConfigMap', 'future', 'apps')?.fieldFromTheFuture).toBe('kept');
  });

  it('opens a sealed Secret through its KMS client (loaded on first use) and applies it', async () => {
    let found: KubeObject | undefined;
    for (let i = 0; i < 150 && !found; i++) {
      await new Promise((r) => setTimeout(r, 100));
      found = kube.object('v1', 'Secret', 'sealed', 'apps');
    }
    expect(found, logs).toBeDefined();
    const data = found?.data as Record<string, string> | undefined;
    expect(Buffer.from(data?.password ?? '', 'base64').toString()).toBe('opened-by-the-bundle');
  });
});
