// The embedded pipeline assembled as `sluice serve` assembles it (fauxqs with the local key service, the
// embedded deps, fetch/render/report workers, a puller with its own cluster's keys against the test Kubernetes
// API server), with a recording Logger and Queue in every deps and every thrown error kept: for leak scans.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { formatStatus } from '../../cli/commands/status.ts';
import { loadOrCreateStoreCredentials } from '../../embedded/local-credentials.ts';
import { storePrincipals } from '../../embedded/store-principals.ts';
import { runWorkerLoop } from '../../embedded/worker-loop.ts';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { dataWrappingKeyFile, LocalDataKeys } from '../../shared/adapters/local/local-data-keys.ts';
import { createDeps } from '../../shared/config/create-deps.ts';
import type { ApplyReport, Job } from '../../shared/core/pipeline/jobs.ts';
import { enqueueFetch } from '../../shared/usecases/enqueue.ts';
import { fetchSource } from '../../shared/usecases/fetch-source.ts';
import { defaultQueueNames, type PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { PullerState, reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { readStatus, type StatusView } from '../../shared/usecases/read-status.ts';
import { recordApplyReport } from '../../shared/usecases/record-apply-report.ts';
import { registerFleet } from '../../shared/usecases/register-fleet.ts';
import { renderJob } from '../../shared/usecases/render-job.ts';
import { createFixtureRepo, type FixtureRepo } from './git-fixture-repo.ts';
import { startGitHttpServer } from './git-http-server.ts';
import { type KubeApiServer, startKubeApiServer } from './kube-api-server.ts';
import { type Evidence, errorEvidence, RecordingQueue, recordingLogger } from './leak-evidence.ts';

const BUCKET = 'sluice-artifacts';
const CLUSTER = 'dev';

export interface LeakWorld {
  /** Everything recorded so far: log lines, queue messages, thrown errors, reports and statuses. */
  evidence: Evidence[];
  /** Every error a worker's handler or the puller threw, as thrown (their text is in `evidence` too). */
  thrown: unknown[];
  dataDir: string;
  repo: FixtureRepo;
  kube: KubeApiServer;
  deps: PipelineDeps;
  puller: PullerDeps;
  /** Commits and pushes `files`, then queues a fetch as a webhook would; returns the commit. */
  push(files: Record<string, string | null>, message: string): Promise<string>;
  /** A puller pass (a fresh one re-applies everything); its reports are recorded. */
  reconcile(fresh?: boolean): Promise<ApplyReport[]>;
  /** The status API's view, recorded as JSON and as `sluice status` prints it (unless `record` is false). */
  status(record?: boolean): Promise<StatusView>;
  waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startLeakWorld(files: Record<string, string>): Promise<LeakWorld> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-leak-scan-'));
  const evidence: Evidence[] = [];
  const thrown: unknown[] = [];
  const log = recordingLogger(evidence);
  const repo = await createFixtureRepo(join(root, 'served'), 'fleet');
  await repo.write(files);
  await repo.commit('a fleet with secrets');
  await repo.push();
  const git = await startGitHttpServer({ root: join(root, 'served') });
  const kube = await startKubeApiServer({ namespaces: ['flux-system'] });
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  // As the control plane's step 1: the store answers only its own keys, and serves local pullers KMS Decrypt.
  const queues = defaultQueueNames();
  const credentials = loadOrCreateStoreCredentials(dataDir, [CLUSTER]);
  const fauxqs: FauxqsHandle = await startFauxqs({
    principals: storePrincipals(credentials, [CLUSTER], queues, BUCKET),
    kms: new LocalDataKeys(dataWrappingKeyFile(dataDir)),
  });
  const admin = createAwsClients({
    region: 'us-east-1',
    endpoint: fauxqs.endpoint,
    credentials: credentials.controlPlane,
  });
  await ensureInfrastructure(admin, queues, [CLUSTER], BUCKET);

  const embedded = await createDeps('embedded', {
    dataDir,
    store: { endpoint: fauxqs.endpoint, credentials: credentials.controlPlane, bucket: BUCKET },
    queues,
    fleet: { url: git.url('fleet') },
    renderSandbox: 'auto',
    pipeline: { clusters: [CLUSTER], strictSubstitution: true, allowRemoteBases: false },
    log,
  });
  const deps: PipelineDeps = { ...embedded, queue: new RecordingQueue(embedded.queue, evidence) };
  const fleetKey = await registerFleet(deps, {
    url: git.url('fleet'),
    branch: 'main',
    intervalMs: 3_600_000,
  });

  const abort = new AbortController();
  /** Each handler's thrown error is kept whole (cause chain included) before the worker classifies it. */
  const kept =
    <J>(what: string, handle: (job: J) => Promise<unknown>) =>
    async (job: J) => {
      try {
        return await handle(job);
      } catch (err) {
        thrown.push(err);
        evidence.push(...errorEvidence(err, `thrown by ${what}`));
        throw err;
      }
    };
  const worker = (queueName: string, kind: Job['kind'], handle: (job: never) => Promise<unknown>) =>
    runWorkerLoop({
      queue: deps.queue,
      queueName,
      kind,
      deadLetterQueue: queues.deadLetter(queueName),
      handle: kept(kind, handle) as never,
      log,
      signal: abort.signal,
      waitSeconds: 0,
      batch: 2,
    });
  const loops = [
    worker(queues.fetch, 'fetch', (job: Parameters<typeof fetchSource>[1]) => fetchSource(deps, job)),
    worker(queues.render, 'render', (job: Parameters<typeof renderJob>[1]) => renderJob(deps, job, fleetKey)),
    worker(queues.reports(CLUSTER), 'apply-report', (job: Parameters<typeof recordApplyReport>[2]) =>
      recordApplyReport(deps, CLUSTER, job),
    ),
  ];

  // As step 6: the puller with its cluster's own store keys; it opens data keys through the store's KMS.
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kube.kubeconfig());
  const pullerDeps = await createDeps('puller', {
    cluster: CLUSTER,
    aws: { region: 'us-east-1', endpoint: fauxqs.endpoint, credentials: credentials.clusters[CLUSTER] },
    bucket: BUCKET,
    queues,
    kube: kubeConfig,
    publicKeyPem: await deps.keys.publicKeyPem(),
    inventoryNamespace: 'sluice-system',
    establishTimeoutMs: 5_000,
    log,
  });
  const puller: PullerDeps = { ...pullerDeps, queue: new RecordingQueue(pullerDeps.queue, evidence) };
  await ensureInventoryNamespace(puller);
  let state = new PullerState();

  return {
    evidence,
    thrown,
    dataDir,
    repo,
    kube,
    deps,
    puller,
    async push(changes, message) {
      await repo.write(changes);
      const sha = await repo.commit(message);
      await repo.push();
      await enqueueFetch(deps, fleetKey(CLUSTER), 'webhook', sha);
      return sha;
    },
    async reconcile(fresh = false) {
      if (fresh) state = new PullerState();
      try {
        const reports = await reconcileCluster(puller, state);
        evidence.push({ where: 'apply reports', text: JSON.stringify(reports) });
        return reports;
      } catch (err) {
        thrown.push(err);
        evidence.push(...errorEvidence(err, 'thrown by the puller'));
        throw err;
      }
    },
    async status(record = true) {
      const view = await readStatus(deps);
      if (!record) return view;
      evidence.push({ where: 'status API', text: JSON.stringify(view) });
      evidence.push({ where: 'sluice status', text: formatStatus(view) });
      return view;
    },
    async waitFor(what, probe, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    async close() {
      abort.abort();
      await Promise.allSettled(loops);
      admin.sqs.destroy();
      admin.s3.destroy();
      admin.kms.destroy();
      await fauxqs.close();
      await git.close();
      await kube.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
