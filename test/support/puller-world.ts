// What a puller test stands on: the real local S3/SQS server (fauxqs) with a bucket and queues, a signing key,
// a PullerDeps for a test Kubernetes API server whose sleeps move a test clock, and the index the puller reads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.ts';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import { LocalDataKeys } from '../../shared/adapters/local/local-data-keys.ts';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.ts';
import {
  type ApplyOptions,
  ARTIFACT_API,
  type ArtifactPayload,
  artifactKey,
  bindingOf,
  type Signed,
  type TombstonePayload,
} from '../../shared/core/artifact/artifact.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { putJson } from '../../shared/ports/object-store.ts';
import type { QueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { type KubeApiServer, startKubeApiServer } from './kube-api-server.ts';

/** How often the artifacts of these tests ask to be applied again. */
export const TEST_INTERVAL_MS = 600_000;

export interface PullerWorld {
  /** A scratch folder, removed on close; the signing key lives under keys/. */
  dir: string;
  fauxqs: FauxqsHandle;
  clients: ReturnType<typeof createAwsClients>;
  store: S3ObjectStore;
  queue: SqsQueue;
  keys: LocalKeyService;
  /** The embedded data key service: the control plane seals with it, this world's pullers open with it. */
  dataKeys: LocalDataKeys;
  publicKeyPem: string;
  close(): Promise<void>;
}

/** `clusters` are the clusters whose queues exist from the start (more can be made with `ensureInfrastructure`). */
export async function startPullerWorld(opts: {
  name: string;
  bucket: string;
  queues: QueueNames;
  clusters: string[];
}): Promise<PullerWorld> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${opts.name}-`));
  const fauxqs = await startFauxqs({});
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: fauxqs.endpoint,
    credentials: fauxqs.credentials,
  });
  await ensureInfrastructure(clients, opts.queues, opts.clusters, opts.bucket);
  const keys = new LocalKeyService(join(dir, 'keys', 'signing.pem'));
  return {
    dir,
    fauxqs,
    clients,
    store: new S3ObjectStore(clients.s3, opts.bucket),
    queue: new SqsQueue(clients.sqs),
    keys,
    dataKeys: new LocalDataKeys(join(dir, 'keys', 'data-wrapping-key')),
    publicKeyPem: await keys.publicKeyPem(),
    async close() {
      await fauxqs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A puller of `cluster` against `kube`; its sleeps move `clock` on (after a short real pause). */
export function pullerDeps(
  world: PullerWorld,
  opts: {
    cluster: string;
    kube: PullerDeps['kube'];
    clock: { t: number };
    queues: PullerDeps['queues'];
  },
): PullerDeps {
  const { clock } = opts;
  return {
    cluster: opts.cluster,
    store: world.store,
    queue: world.queue,
    kube: opts.kube,
    publicKeyPem: world.publicKeyPem,
    dataKeys: world.dataKeys,
    clock: { now: () => clock.t },
    log: silentLogger,
    queues: opts.queues,
    fieldManager: 'sluice',
    inventoryNamespace: 'sluice-system',
    establishTimeoutMs: 5_000,
    sleep: async (ms) => {
      clock.t += ms;
      await new Promise((r) => setTimeout(r, 5));
    },
  };
}

/**
 * What the control plane's publish does after signing: store the record in the cluster's prefix and point the
 * cluster's index entry for `target` at it (a tombstone's entry is marked deleted).
 */
export async function storeAndIndex(
  deps: Pick<PullerDeps, 'store' | 'cluster'>,
  target: Target,
  signed: Signed,
  entry: { revision: string; publishedAt: number },
): Promise<IndexEntry> {
  const key = artifactKey(deps.cluster, signed.digest);
  await putJson(deps.store, key, signed);
  const indexEntry: IndexEntry = {
    target,
    generation: signed.payload.generation,
    sequence: signed.payload.sequence,
    revision: entry.revision,
    renderKey: signed.payload.kind === 'Artifact' ? signed.payload.renderKey : '',
    publishedAt: new Date(entry.publishedAt).toISOString(),
    ...(signed.payload.kind === 'Tombstone' && { deleted: true }),
    digest: signed.digest,
    artifactKey: key,
  };
  await putJson(deps.store, stateKeys.index(deps.cluster, target), indexEntry);
  return indexEntry;
}

/** The commit of a test's n-th publish. */
export const revisionOf = (n: number): string => `main@sha1:${n.toString(16).padStart(40, '0')}`;

/**
 * The control plane's render of `target` as a test's n-th publish: every publish is new content, so `n` serves
 * as the source generation and the publish sequence, and names the commit and the render.
 */
export function testArtifact(
  cluster: string,
  target: Target,
  n: number,
  objects: KubeObject[],
  apply: Partial<ApplyOptions> = {},
): ArtifactPayload {
  return {
    apiVersion: ARTIFACT_API,
    kind: 'Artifact',
    cluster,
    ...bindingOf(target),
    generation: { fleet: 1, source: n },
    sequence: n,
    source: { url: 'https://git.example.com/fleet.git', revision: revisionOf(n) },
    renderKey: `sha256:render-${n}`,
    apply: {
      prune: true,
      wait: false,
      force: false,
      timeoutMs: 60_000,
      intervalMs: TEST_INTERVAL_MS,
      dependsOn: [],
      ...apply,
    },
    objects,
  };
}

/** The control plane's signed removal of `target` as a test's n-th publish. */
export function testTombstone(cluster: string, target: Target, n: number): TombstonePayload {
  return {
    apiVersion: ARTIFACT_API,
    kind: 'Tombstone',
    cluster,
    ...bindingOf(target),
    generation: { fleet: 2, source: n },
    sequence: n,
    deleted: true,
    revision: 'main@sha1:removed',
  };
}

/**
 * A fresh cluster for one test: its queues in the world's store, its own test Kubernetes API server (with
 * namespace `apps`), and a puller for it whose inventory namespace exists. Close `kube` after the test.
 */
export async function startClusterPuller(
  world: PullerWorld,
  opts: { cluster: string; bucket: string; queues: QueueNames; clock: { t: number } },
): Promise<{ kube: KubeApiServer; deps: PullerDeps }> {
  const kube = await startKubeApiServer({ namespaces: ['apps'] });
  await ensureInfrastructure(world.clients, opts.queues, [opts.cluster], opts.bucket);
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig());
  const deps = pullerDeps(world, {
    cluster: opts.cluster,
    kube: new ClientNodeCluster(kc),
    clock: opts.clock,
    queues: { cluster: opts.queues.cluster(opts.cluster), reports: opts.queues.reports(opts.cluster) },
  });
  await ensureInventoryNamespace(deps);
  return { kube, deps };
}
