// The Lambda handlers with real event shapes (EventBridge, Function URL, SQS batches) against the local
// SQS/S3-compatible server and the test KMS server: push webhook → fetch → render → KMS-signed artifact in
// the bucket → the puller applies it to the test Kubernetes API server and reports on its cluster's channel
// → the notify function records the status for that cluster.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHandler } from '../../functions/fetch.ts';
import { createNotifyHandler } from '../../functions/notify.ts';
import { createRenderHandler } from '../../functions/render.ts';
import { createScheduleHandler } from '../../functions/schedule.ts';
import { createWebhookHandler } from '../../functions/webhook.ts';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { KmsKeyService } from '../../shared/adapters/aws/kms-key-service.ts';
import { startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { IsomorphicGitSource } from '../../shared/adapters/git/isomorphic-git-source.ts';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import type { CloudConfig } from '../../shared/config/cloud-config.ts';
import { type CloudDeps, createCloudDeps } from '../../shared/config/create-cloud-deps.ts';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import { cloudSourcePolicy } from '../../shared/config/source-address-settings.ts';
import type { SignedArtifact } from '../../shared/core/artifact/artifact.ts';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { getJson } from '../../shared/ports/object-store.ts';
import { listRestorable } from '../../shared/usecases/list-restorable.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { createFixtureRepo, type FixtureRepo } from '../support/git-fixture-repo.ts';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http-server.ts';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import { drain, lambdaContext, pollOnce } from '../support/sqs-event-source.ts';

const SECRET = 'function-test-secret';
const ROLLBACK_SECRET = 'function-test-rollback-secret';
const PREFIX = 'sluice-fn';
let root: string;
let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
let kms: KmsServer;
let git: GitHttpServer;
let kube: KubeApiServer;
let repo: FixtureRepo;
let deps: CloudDeps;
let sqs: ReturnType<typeof createAwsClients>['sqs'];
const queues = defaultQueueNames(PREFIX);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-fn-'));
  // The functions sign with the fixed keys createCloudDeps uses for local endpoints.
  const functionsKey = {
    name: 'functions',
    accessKeyId: 'local',
    secretAccessKey: 'local',
    policy: 'all' as const,
  };
  [fauxqs, kms, kube] = await Promise.all([
    startFauxqs({ principals: [functionsKey] }),
    startKmsServer(),
    startKubeApiServer(),
  ]);
  repo = await createFixtureRepo(join(root, 'served'), 'fleet');
  cpSync(join(import.meta.dirname, '../../examples/fleet'), repo.workDir, { recursive: true });
  await repo.commit('fleet');
  await repo.push();
  git = await startGitHttpServer({ root: join(root, 'served') });
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: fauxqs.endpoint,
    credentials: fauxqs.credentials,
  });
  sqs = clients.sqs;
  await ensureInfrastructure(clients, queues, ['dev'], 'artifacts');
  const key = kms.createKey('ECC_NIST_P256', { alias: 'sluice-signing' });
  const dataKey = kms.createKey('SYMMETRIC_DEFAULT', { alias: 'sluice-data' });
  const config: CloudConfig = {
    region: 'us-east-1',
    bucket: 'artifacts',
    queuePrefix: PREFIX,
    signingKeyArn: key.arn,
    dataKeyArn: dataKey.arn,
    clusters: ['dev'],
    fleet: { url: git.url('fleet'), branch: 'main', intervalMs: 3_600_000 },
    webhookSecret: SECRET,
    rollbackSecret: ROLLBACK_SECRET,
    endpoints: { sqs: fauxqs.endpoint, s3: fauxqs.endpoint, kms: kms.endpoint },
    strictSubstitution: true,
    allowRemoteBases: false,
    workDir: join(root, 'work'),
  };
  deps = createCloudDeps(config, {
    // As functions/fetch.ts builds it: public addresses only, the fleet's own (here loopback) origin allowed.
    git: (dir) =>
      new IsomorphicGitSource({
        cacheDir: dir,
        addressPolicy: cloudSourcePolicy({
          fleetUrl: config.fleet.url,
          restrictSourceAddresses: true,
          allowedSourceHosts: [],
        }),
      }),
    keys: (client, arn) => new KmsKeyService(client, arn),
    render: (scratchDir) => createLocalRenderDeps({ scratchDir }),
  });
  deps.pipeline.log = silentLogger;
}, 60_000);

afterAll(async () => {
  await Promise.all([fauxqs?.close(), kms?.close(), git?.close(), kube?.close()]);
  rmSync(root, { recursive: true, force: true });
});

const webhook = createWebhookHandler(() => deps);
const schedule = createScheduleHandler(() => deps);
const fetchFn = createFetchHandler(() => deps);
const renderFn = createRenderHandler(() => deps);
const notifyFn = createNotifyHandler(() => deps);

function functionUrlEvent(body: string, headers: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'url',
      domainName: 'url.lambda-url.us-east-1.on.aws',
      domainPrefix: 'url',
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

const scheduledEvent: EventBridgeEvent<'Scheduled Event', unknown> = {
  version: '0',
  id: 'e',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:000000000000:rule/sluice-schedule'],
  detail: {},
};

async function runPipeline(): Promise<void> {
  // Renders can enqueue fetches (new sources) and renders (new children): run until both queues are quiet.
  for (let round = 0; round < 10; round++) {
    const fetched = await drain(sqs, queues.fetch, fetchFn);
    const rendered = await drain(sqs, queues.render, renderFn);
    if (fetched + rendered === 0) return;
  }
}

async function pull(): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig());
  const pullerDeps = {
    cluster: 'dev',
    store: deps.pipeline.store,
    queue: deps.pipeline.queue,
    kube: new ClientNodeCluster(kc),
    publicKeyPem: await deps.pipeline.keys.publicKeyPem(),
    dataKeys: deps.pipeline.dataKeys,
    clock: systemClock,
    log: silentLogger,
    queues: { cluster: queues.cluster('dev'), reports: queues.reports('dev') },
    fieldManager: 'sluice',
    inventoryNamespace: 'sluice-system',
    establishTimeoutMs: 10_000,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  };
  await ensureInventoryNamespace(pullerDeps);
  await reconcileCluster(pullerDeps);
}

describe('Lambda handlers on local AWS stand-ins', () => {
  it('schedule registers the fleet; fetch and render publish KMS-signed artifacts; the puller applies them', async () => {
    expect(await schedule(scheduledEvent, lambdaContext('schedule') as never)).toEqual({ due: 1 }); // the fleet was never fetched, so it is due at once;
    await runPipeline();
    const index = await getJson<IndexEntry>(
      deps.pipeline.store,
      stateKeys.index('dev', kustomizationTarget({ namespace: 'flux-system', name: 'apps' })),
    );
    expect(index?.digest).toMatch(/^sha256:/);
    const artifact = await getJson<SignedArtifact>(deps.pipeline.store, index?.artifactKey ?? '');
    expect(artifact?.keyId).toBe(deps.config.signingKeyArn);
    expect(artifact?.payload).toMatchObject({
      cluster: 'dev',
      target: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
      generation: index?.generation,
    });
    expect(kms.requests.some((r) => r.operation === 'Sign')).toBe(true);
    await pull();
    expect(kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo')).toBeDefined();
    // The puller reported on dev's reports queue; the notify function records it as dev's status.
    expect(await drain(sqs, queues.reports('dev'), notifyFn)).toBeGreaterThan(0);
    const status = await getJson<ApplyReport>(
      deps.pipeline.store,
      stateKeys.applyStatus('dev', kustomizationTarget({ namespace: 'flux-system', name: 'apps' })),
    );
    expect(status).toMatchObject({ cluster: 'dev', ready: true, reason: 'ReconciliationSucceeded' });
  });

  it('answers the push webhook (Function URL event) with 202 and the new commit reaches the cluster', async () => {
    await repo.write({
      'clusters/dev/cluster-vars.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  cluster_name: dev\n  podinfo_replicas: "4"\n',
    });
    await repo.commit('four replicas');
    await repo.push();
    const body = JSON.stringify({ repository: { clone_url: git.url('fleet') } });
    const res = (await webhook(
      functionUrlEvent(body, { 'x-hub-signature-256': signBody(body, SECRET) }),
      lambdaContext('webhook') as never,
    )) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({ accepted: true, sources: 1 });
    await runPipeline();
    await pull();
    expect(
      (kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo')?.spec as { replicas?: number })?.replicas,
    ).toBe(4);
  });

  it('a signed rollback body through the webhook function is carried out by the render function, KMS-signed', async () => {
    const apps = kustomizationTarget({ namespace: 'flux-system', name: 'apps' });
    const earlier = (await listRestorable(deps.pipeline, 'dev', apps)).find((a) => !a.current);
    expect(earlier).toBeDefined();
    const body = JSON.stringify({
      rollback: { cluster: 'dev', namespace: 'flux-system', name: 'apps', to: earlier?.digest },
      at: new Date().toISOString(),
      requestId: 'rollback-1',
    });
    // Signed with the Git host's webhook secret, it is refused; with the operators' rollback secret, queued.
    const refused = (await webhook(
      functionUrlEvent(body, { 'x-hub-signature-256': signBody(body, SECRET) }),
      lambdaContext('webhook') as never,
    )) as APIGatewayProxyStructuredResultV2;
    expect(refused.statusCode).toBe(403);
    const res = (await webhook(
      functionUrlEvent(body, { 'x-hub-signature-256': signBody(body, ROLLBACK_SECRET) }),
      lambdaContext('webhook') as never,
    )) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(202);
    await runPipeline();
    const index = await getJson<IndexEntry>(deps.pipeline.store, stateKeys.index('dev', apps));
    expect(index?.rollback).toMatchObject({ to: earlier?.digest, by: 'webhook' });
    const artifact = await getJson<SignedArtifact>(deps.pipeline.store, index?.artifactKey ?? '');
    expect(artifact?.keyId).toBe(deps.config.signingKeyArn);
    await pull();
    expect(
      (kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo')?.spec as { replicas?: number })?.replicas,
    ).toBe(2);
  });

  it("notify records a report for its queue's cluster and ignores one that names another cluster", async () => {
    const report = (cluster: string, name: string): ApplyReport => ({
      kind: 'apply-report',
      cluster,
      target: kustomizationTarget({ namespace: 'flux-system', name }),
      digest: '',
      revision: '',
      ready: false,
      reason: 'ReconciliationFailed',
      message: 'reported',
      applied: 0,
      pruned: 0,
      at: new Date().toISOString(),
    });
    await drain(sqs, queues.reports('dev'), notifyFn); // what earlier pulls reported
    await deps.pipeline.queue.send(queues.reports('dev'), { body: JSON.stringify(report('prod', 'forged')) });
    await deps.pipeline.queue.send(queues.reports('dev'), { body: JSON.stringify(report('dev', 'honest')) });
    expect(await drain(sqs, queues.reports('dev'), notifyFn)).toBe(2);
    const status = (cluster: string, name: string) =>
      getJson<ApplyReport>(
        deps.pipeline.store,
        stateKeys.applyStatus(cluster, kustomizationTarget({ namespace: 'flux-system', name })),
      );
    expect(await status('dev', 'honest')).toMatchObject({ cluster: 'dev', message: 'reported' });
    expect(await status('prod', 'forged')).toBeUndefined();
    expect(await status('dev', 'forged')).toBeUndefined();
  });

  it('refuses a bad signature with 401 and an oversized body with 413', async () => {
    const body = JSON.stringify({ repository: git.url('fleet') });
    const bad = (await webhook(
      functionUrlEvent(body, { 'x-hub-signature-256': signBody(body, 'nope') }),
      lambdaContext('webhook') as never,
    )) as APIGatewayProxyStructuredResultV2;
    expect(bad.statusCode).toBe(401);
    const big = 'x'.repeat(1024 * 1024 + 10);
    const huge = (await webhook(
      functionUrlEvent(big, { 'x-hub-signature-256': signBody(big, SECRET) }),
      lambdaContext('webhook') as never,
    )) as APIGatewayProxyStructuredResultV2;
    expect(huge.statusCode).toBe(413);
  });

  it('reports only the failed message of a batch, and dead-letters an undecodable one with its reason', async () => {
    const good = JSON.stringify({
      kind: 'render',
      cluster: 'dev',
      target: kustomizationTarget({ namespace: 'flux-system', name: 'apps' }),
    });
    const client = deps.pipeline.queue;
    await client.send(queues.render, { body: 'not json', groupId: 'poison', deduplicationId: 'poison-1' });
    await client.send(queues.render, {
      body: good,
      groupId: 'dev/flux-system/apps',
      deduplicationId: 'good-1',
    });
    const { delivered, failed } = await pollOnce(sqs, queues.render, renderFn);
    expect(delivered).toBe(2);
    expect(failed).toEqual([]); // the poison message went to the dead-letter queue, the good one rendered
    const [dead] = await client.receive(queues.deadLetter(queues.render), { maxMessages: 10 });
    expect(dead?.body).toBe('not json');
    expect(dead?.attributes.code).toBe('InvalidJob');
    expect(dead?.attributes.reason).toContain('queue message is not JSON');
  });
});
