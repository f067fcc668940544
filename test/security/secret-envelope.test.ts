// Secret values are sealed per cluster everywhere after the render: in artifacts and in stored records.
// The puller of one cluster cannot open another cluster's data key (the key service checks the caller's
// grant, the same policy document as in the cloud, and binds each key to its cluster's name), and a
// sealed artifact changed by one byte is refused before anything is applied. Status shows no digest of
// inputs that hold Secret values.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateStoreCredentials } from '../../embedded/local-credentials.ts';
import { storePrincipals } from '../../embedded/store-principals.ts';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { KmsDataKeys } from '../../shared/adapters/aws/kms-data-keys.ts';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import { LocalDataKeys } from '../../shared/adapters/local/local-data-keys.ts';
import {
  ARTIFACT_API,
  type ArtifactPayload,
  artifactKey,
  type Signed,
  targetOf,
} from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import { sealArtifact } from '../../shared/core/secrets/seal-artifact.ts';
import { SEALED_PREFIX, SecretCipher } from '../../shared/core/secrets/secret-cipher.ts';
import { putJson } from '../../shared/ports/object-store.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { readStatus } from '../../shared/usecases/read-status.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { rejectionOf } from '../support/error-of.ts';
import { startKubeApiServer } from '../support/kube-api-server.ts';
import { pullerDeps, startPullerWorld } from '../support/puller-world.ts';
import { startStoreAndQueues } from '../support/store-and-queues.ts';

const BUCKET = 'sluice-envelope';
const queues = defaultQueueNames('envelope');
const PASSWORD = 'pa55-envelope-plaintext';

describe('the embedded key service, as each puller reaches it', () => {
  let dir: string;
  let fauxqs: FauxqsHandle;
  let dataKeys: LocalDataKeys;
  let creds: ReturnType<typeof loadOrCreateStoreCredentials>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-envelope-'));
    dataKeys = new LocalDataKeys(join(dir, 'data-wrapping-key'));
    creds = loadOrCreateStoreCredentials(dir, ['dev', 'prod']);
    fauxqs = await startFauxqs({
      principals: storePrincipals(creds, ['dev', 'prod'], queues, BUCKET),
      kms: dataKeys,
    });
  });
  afterAll(async () => {
    await fauxqs?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pullerKeys = (cluster: 'dev' | 'prod') =>
    new KmsDataKeys(
      createAwsClients({
        region: 'us-east-1',
        endpoint: fauxqs.endpoint,
        credentials: creds.clusters[cluster],
      }).kms,
    );

  it("opens the puller's own cluster's data key, with the real KMS client", async () => {
    const { key, wrapped } = await dataKeys.generate('dev');
    expect(Buffer.from(await pullerKeys('dev').unwrap('dev', wrapped)).equals(Buffer.from(key))).toBe(true);
  });

  it("refuses another cluster's data key: AccessDenied naming the key, the cluster and the grant", async () => {
    const { wrapped } = await dataKeys.generate('prod');
    const err = await rejectionOf(pullerKeys('dev').unwrap('prod', wrapped));
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain(wrapped.keyId);
    expect(err.message).toContain('kms:EncryptionContext:cluster');
    expect(err.retryable).toBe(false);
  });

  it("does not open another cluster's key under its own name either: the key is bound to its cluster", async () => {
    const { wrapped } = await dataKeys.generate('prod');
    expect((await rejectionOf(pullerKeys('dev').unwrap('dev', wrapped))).code).toBe('DecryptionFailed');
  });

  it('answers nobody without a valid signature', async () => {
    const { wrapped } = await dataKeys.generate('dev');
    const stranger = new KmsDataKeys(
      createAwsClients({
        region: 'us-east-1',
        endpoint: fauxqs.endpoint,
        credentials: { accessKeyId: creds.clusters.dev?.accessKeyId ?? '', secretAccessKey: 'wrong' },
      }).kms,
    );
    expect((await rejectionOf(stranger.unwrap('dev', wrapped))).code).toBe('AccessDenied');
  });
});

describe('a sealed artifact at the puller', () => {
  it('is opened and applied; one byte changed in a sealed value is refused and the applied Secret stays', async () => {
    const world = await startPullerWorld({ name: 'envelope', bucket: BUCKET, queues, clusters: ['dev'] });
    const kube = await startKubeApiServer({ namespaces: ['apps'] });
    try {
      await ensureInfrastructure(world.clients, queues, ['dev'], BUCKET);
      const kc = new KubeConfig();
      kc.loadFromString(kube.kubeconfig());
      const deps = pullerDeps(world, {
        cluster: 'dev',
        kube: new ClientNodeCluster(kc),
        clock: { t: Date.parse('2026-11-30T12:00:00Z') },
        queues: { cluster: queues.cluster('dev'), reports: queues.reports('dev') },
      });
      await ensureInventoryNamespace(deps);
      const ks = { namespace: 'flux-system', name: 'apps' };
      const secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db', namespace: 'apps' },
        stringData: { password: PASSWORD },
      };
      setOwnerLabels(secret, ks);
      const { key, wrapped } = await world.dataKeys.generate('dev');
      const payload = (sequence: number): ArtifactPayload => ({
        apiVersion: ARTIFACT_API,
        kind: 'Artifact',
        cluster: 'dev',
        kustomization: ks,
        target: targetOf(ks),
        generation: { fleet: 1, source: sequence },
        sequence,
        source: {
          url: 'https://git.example.com/fleet.git',
          revision: `main@sha1:${String(sequence).padStart(40, '0')}`,
        },
        renderKey: `r${sequence}`,
        apply: {
          prune: true,
          wait: false,
          force: false,
          timeoutMs: 60_000,
          intervalMs: 600_000,
          dependsOn: [],
        },
        objects: [secret],
      });
      const publish = async (signed: Signed) => {
        await putJson(world.store, artifactKey('dev', signed.digest), signed);
        const entry: IndexEntry = {
          target: targetOf(ks),
          generation: signed.payload.generation,
          sequence: signed.payload.sequence,
          revision: 'main@sha1:x',
          renderKey: '',
          publishedAt: '2026-11-30T12:00:00Z',
          digest: signed.digest,
          artifactKey: artifactKey('dev', signed.digest),
        };
        await putJson(world.store, stateKeys.index('dev', targetOf(ks)), entry);
      };
      const sealed = await signArtifact(sealArtifact(payload(1), new SecretCipher(key), wrapped), world.keys);
      expect(JSON.stringify(sealed)).not.toContain(PASSWORD);
      await publish(sealed);
      const [applied] = await reconcileCluster(deps);
      expect(applied?.ready).toBe(true);
      const live = kube.object('v1', 'Secret', 'db', 'apps') as { data?: Record<string, string> } | undefined;
      expect(Buffer.from(live?.data?.password ?? '', 'base64').toString()).toBe(PASSWORD);

      // A store writer flips one byte of a sealed value in a newer record (the signature no longer holds).
      const next = await signArtifact(sealArtifact(payload(2), new SecretCipher(key), wrapped), world.keys);
      const tampered = structuredClone(next);
      const values = (tampered.payload.objects[0] as { stringData: Record<string, string> }).stringData;
      const raw = Buffer.from((values.password as string).slice(SEALED_PREFIX.length), 'base64');
      raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
      values.password = SEALED_PREFIX + raw.toString('base64');
      await publish(tampered);
      const [refused] = await reconcileCluster(deps);
      expect(refused?.ready).toBe(false);
      expect(refused?.reason).toBe('ArtifactRejected');
      const still = kube.object('v1', 'Secret', 'db', 'apps') as
        | { data?: Record<string, string> }
        | undefined;
      expect(Buffer.from(still?.data?.password ?? '', 'base64').toString()).toBe(PASSWORD);
      expect(JSON.stringify(refused)).not.toContain(PASSWORD);
    } finally {
      await kube.close();
      await world.close();
    }
  });
});

describe('the status view', () => {
  it('carries no render key: it digests substituted Secret values, and loopback status needs no token', async () => {
    const env = await startStoreAndQueues('envelope-status');
    try {
      const target = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
      await stateOf(env.deps).putIndexEntry('dev', {
        target,
        generation: { fleet: 1, source: 1 },
        sequence: 1,
        revision: 'main@sha1:1',
        renderKey: 'sha256:digest-of-inputs-with-a-secret',
        publishedAt: '2026-11-30T12:00:00Z',
        digest: `sha256:${'0'.repeat(64)}`,
        artifactKey: 'x',
      });
      const view = await readStatus(env.deps);
      expect(JSON.stringify(view)).not.toContain('digest-of-inputs-with-a-secret');
    } finally {
      await env.close();
    }
  });
});
