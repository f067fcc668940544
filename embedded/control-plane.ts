// The whole control plane on one machine (`sluice serve`, `npm start`): the SQS/S3-compatible server,
// the fleet's Git server, webhook + status API, scheduler, fetch/render/event workers, and a puller for
// the kubeconfig's current context when it is reachable. Everything listens on loopback by default.
// It starts the local servers and loops; which adapters the pipeline and puller get is createDeps' choice.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { runPuller } from '../puller/run-puller.ts';
import { createAwsClients } from '../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../shared/adapters/aws/ensure-infrastructure.ts';
import { ensureExampleFleet } from '../shared/adapters/embedded/example-fleet.ts';
import { startFauxqs } from '../shared/adapters/embedded/fauxqs-server.ts';
import { startGitHttpServer } from '../shared/adapters/embedded/git-http-server.ts';
import { isLoopbackHost, localAddress } from '../shared/adapters/embedded/listen-address.ts';
import { ConfinedProcess, type SandboxPreference } from '../shared/adapters/render/confined-process.ts';
import { createDeps } from '../shared/config/create-deps.ts';
import type { Job } from '../shared/core/pipeline/jobs.ts';
import type { Logger } from '../shared/ports/logger.ts';
import { fetchSource } from '../shared/usecases/fetch-source.ts';
import { defaultQueueNames, type PipelineDeps } from '../shared/usecases/pipeline-deps.ts';
import { recordApplyReport } from '../shared/usecases/record-apply-report.ts';
import { type FleetConfig, registerFleet } from '../shared/usecases/register-fleet.ts';
import { renderJob } from '../shared/usecases/render-job.ts';
import { scheduleSources } from '../shared/usecases/schedule-sources.ts';
import { startHttpApi } from './http-api.ts';
import {
  API_TOKEN_FILE,
  GIT_TOKEN_FILE,
  GIT_USER,
  loadOrCreateStoreCredentials,
  loadOrCreateToken,
  STORE_CREDENTIALS_FILE,
} from './local-credentials.ts';
import { storePrincipals } from './store-principals.ts';
import { runWorkerLoop } from './worker-loop.ts';

export interface ControlPlaneOptions {
  dataDir: string;
  clusters: string[];
  /** Omit to serve the example fleet from a local Git repository. */
  fleet?: FleetConfig;
  exampleFleetDir: string;
  host?: string;
  ports?: { api?: number; queue?: number; git?: number };
  webhookSecret?: string;
  /** 'default': the kubeconfig's current context; a KubeConfig: that cluster; 'none': no puller. */
  kube?: 'default' | 'none' | KubeConfig;
  /** Which declared cluster the local puller plays. */
  pullerCluster?: string;
  scheduleEveryMs?: number;
  pullerIntervalMs?: number;
  strictSubstitution?: boolean;
  allowRemoteBases?: boolean;
  /** Flux's `--no-cross-namespace-refs`; default off, as in Flux. */
  noCrossNamespaceRefs?: boolean;
  maxObjectsPerRender?: number;
  maxChildrenPerKustomization?: number;
  /** Render jobs in flight at once (kustomize is CPU-bound: about one per core). */
  renderBatch?: number;
  /**
   * Git hosts on loopback or metadata addresses that sources may reach besides the fleet's own origin:
   * host names, CIDRs or origins (`http://127.0.0.1:8080`).
   */
  allowedSourceHosts?: string[];
  /**
   * How kustomize is confined: bubblewrap, required (`bwrap`, the default: a commit must not read this
   * machine), bubblewrap when the host has it (`auto`), or never (`none`).
   */
  renderSandbox?: SandboxPreference;
  log: Logger;
}

export interface ControlPlane {
  apiUrl: string;
  fleetUrl: string;
  /** How to authenticate to the served fleet (user name, file holding the token); absent for an external fleet. */
  fleetAuth?: { username: string; tokenFile: string };
  queueEndpoint: string;
  /** SigV4 keys for the SQS/S3 server: the control plane's and one per cluster puller. */
  storeCredentialsFile: string;
  /** Set when the status API listens beyond loopback: GET /api/status then needs `Authorization: Bearer <token>`. */
  apiTokenFile?: string;
  webhookSecret: string;
  publicKeyPem: string;
  puller: { cluster: string; state: 'running' } | { state: 'off'; reason: string };
  /** What confines kustomize here: a bubblewrap sandbox, or only an empty environment and limits. */
  renderSandbox: 'bwrap' | 'process';
  deps: PipelineDeps;
  close(): Promise<void>;
}

const BUCKET = 'sluice-artifacts';

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const host = opts.host ?? '127.0.0.1';
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const stops: (() => Promise<void>)[] = [];
  const abort = new AbortController();
  try {
    const queues = defaultQueueNames();
    // Generated on first start: the SQS/S3 server answers nobody else, and each puller only its grant.
    const storeCredentials = loadOrCreateStoreCredentials(opts.dataDir, opts.clusters);
    const fauxqs = await startFauxqs({
      dataDir: join(opts.dataDir, 'queue-store'),
      host,
      port: opts.ports?.queue ?? 0,
      principals: storePrincipals(storeCredentials, opts.clusters, queues, BUCKET),
    });
    stops.push(() => fauxqs.close());
    // The control plane's own view of the store; each puller gets its cluster's keys instead.
    const store = { endpoint: fauxqs.endpoint, credentials: storeCredentials.controlPlane, bucket: BUCKET };
    await ensureInfrastructure(
      createAwsClients({ region: 'us-east-1', endpoint: store.endpoint, credentials: store.credentials }),
      queues,
      opts.clusters,
      BUCKET,
    );

    let fleet = opts.fleet;
    let fleetUrl = fleet?.url ?? '';
    let fleetAuth: ControlPlane['fleetAuth'];
    if (!fleet) {
      const gitRoot = join(opts.dataDir, 'git');
      await ensureExampleFleet(gitRoot, 'fleet', opts.exampleFleetDir);
      // The token travels in the fetch's credentials (never in the URL or the store).
      const credentials = { username: GIT_USER, password: loadOrCreateToken(opts.dataDir, GIT_TOKEN_FILE) };
      const git = await startGitHttpServer({
        root: gitRoot,
        host,
        port: opts.ports?.git ?? 0,
        auth: credentials,
      });
      stops.push(() => git.close());
      // Reached over loopback when listening everywhere: the token goes over plain HTTP to this machine only.
      fleetUrl = `http://${localAddress(host)}:${git.port}/fleet.git`;
      fleet = { url: fleetUrl, branch: 'main', intervalMs: 60_000, credentials };
      fleetAuth = { username: GIT_USER, tokenFile: join(opts.dataDir, GIT_TOKEN_FILE) };
    }

    // Probed at start, so `--render-sandbox bwrap` without a working bubblewrap fails now, not at a render.
    const renderSandbox = new ConfinedProcess(opts.renderSandbox ?? 'bwrap').mode();
    const webhookSecret = opts.webhookSecret ?? loadOrCreateSecret(join(opts.dataDir, 'webhook-secret'));
    const deps = await createDeps('embedded', {
      dataDir: opts.dataDir,
      store,
      queues,
      fleet: { url: fleetUrl, ...(fleet.credentials && { credentials: fleet.credentials }) },
      ...(opts.allowedSourceHosts && { allowedSourceHosts: opts.allowedSourceHosts }),
      renderSandbox: opts.renderSandbox ?? 'bwrap',
      pipeline: {
        clusters: opts.clusters,
        strictSubstitution: opts.strictSubstitution ?? true,
        allowRemoteBases: opts.allowRemoteBases ?? false,
        ...(opts.noCrossNamespaceRefs !== undefined && { noCrossNamespaceRefs: opts.noCrossNamespaceRefs }),
        ...(opts.maxObjectsPerRender !== undefined && { maxObjectsPerRender: opts.maxObjectsPerRender }),
        ...(opts.maxChildrenPerKustomization !== undefined && {
          maxChildrenPerKustomization: opts.maxChildrenPerKustomization,
        }),
      },
      log: opts.log,
    });
    const fleetKey = await registerFleet(deps, fleet);

    const worker = (
      queueName: string,
      kind: Job['kind'],
      handle: (job: never) => Promise<unknown>,
      batch = 2,
    ) =>
      runWorkerLoop({
        queue: deps.queue,
        queueName,
        kind,
        deadLetterQueue: queues.deadLetter(queueName),
        handle: handle as never,
        log: opts.log,
        signal: abort.signal,
        batch,
      });
    const loops = [
      worker(queues.fetch, 'fetch', (job: { kind: 'fetch' } & Parameters<typeof fetchSource>[1]) =>
        fetchSource(deps, job),
      ),
      worker(
        queues.render,
        'render',
        (job: Parameters<typeof renderJob>[1]) => renderJob(deps, job, fleetKey),
        opts.renderBatch ?? 2,
      ),
      // One reports channel per cluster: a report's cluster is the queue it arrived on, never its body.
      ...opts.clusters.map((cluster) =>
        worker(
          queues.reports(cluster),
          'apply-report',
          (job: Parameters<typeof recordApplyReport>[2]) => recordApplyReport(deps, cluster, job),
          10,
        ),
      ),
    ];
    const schedule = setInterval(() => {
      scheduleSources(deps).catch((err: Error) =>
        opts.log.error('scheduler tick failed', { error: err.message }),
      );
    }, opts.scheduleEveryMs ?? 10_000);
    stops.unshift(async () => {
      clearInterval(schedule);
      abort.abort();
      await Promise.allSettled(loops);
    });

    // Beyond loopback the status API wants a bearer token too (the webhook is always HMAC-signed).
    const apiTokenFile = isLoopbackHost(host) ? undefined : join(opts.dataDir, API_TOKEN_FILE);
    const api = await startHttpApi({
      deps,
      webhookSecret,
      host,
      port: opts.ports?.api ?? 0,
      ...(apiTokenFile && { statusToken: loadOrCreateToken(opts.dataDir, API_TOKEN_FILE) }),
    });
    stops.unshift(() => api.close());

    const publicKeyPem = await deps.keys.publicKeyPem();
    const pullerCluster = opts.pullerCluster ?? opts.clusters[0] ?? '';
    const kube = await reachableCluster(opts.kube ?? 'default');
    let puller: ControlPlane['puller'] = { state: 'off', reason: kube.reason ?? '' };
    const pullerKey = storeCredentials.clusters[pullerCluster];
    if (kube.config && pullerCluster && !pullerKey) {
      puller = { state: 'off', reason: `cluster "${pullerCluster}" is not declared (--cluster)` };
    } else if (kube.config && pullerKey) {
      // The puller uses its cluster's own keys: the store lets it read only what its cloud role could.
      const pullerDeps = await createDeps('puller', {
        cluster: pullerCluster,
        aws: { region: 'us-east-1', endpoint: fauxqs.endpoint, credentials: pullerKey },
        bucket: BUCKET,
        queues,
        kube: kube.config,
        publicKeyPem,
        inventoryNamespace: 'sluice-system',
        establishTimeoutMs: 30_000,
        log: opts.log,
      });
      const loop = runPuller(pullerDeps, {
        intervalMs: opts.pullerIntervalMs ?? 60_000,
        waitSeconds: 1,
        signal: abort.signal,
      });
      stops.unshift(async () => {
        abort.abort();
        await loop;
      });
      puller = { cluster: pullerCluster, state: 'running' };
    }

    return {
      apiUrl: api.url,
      fleetUrl,
      ...(fleetAuth && { fleetAuth }),
      queueEndpoint: fauxqs.endpoint,
      storeCredentialsFile: join(opts.dataDir, STORE_CREDENTIALS_FILE),
      ...(apiTokenFile && { apiTokenFile }),
      webhookSecret,
      publicKeyPem,
      puller,
      renderSandbox,
      deps,
      close: async () => {
        for (const stop of stops.splice(0)) await stop();
      },
    };
  } catch (err) {
    abort.abort();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

function loadOrCreateSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(24).toString('hex');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function reachableCluster(
  kube: 'default' | 'none' | KubeConfig,
): Promise<{ config?: KubeConfig; reason?: string }> {
  if (kube === 'none') return { reason: 'disabled (--no-puller)' };
  let config = kube;
  if (config === 'default') {
    config = new KubeConfig();
    try {
      config.loadFromDefault();
    } catch (err) {
      return { reason: `no usable kubeconfig (${(err as Error).message})` };
    }
  }
  const context = config.getCurrentContext();
  if (!context || !config.getCurrentCluster()) return { reason: 'the kubeconfig has no current context' };
  try {
    const version = config.makeApiClient(VersionApi);
    await Promise.race([
      version.getCode(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000)),
    ]);
    return { config };
  } catch (err) {
    return { reason: `context "${context}" is not reachable (${(err as Error).message})` };
  }
}
