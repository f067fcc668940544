import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type KubeConfig, VersionApi } from '@kubernetes/client-node';
import { runPuller } from '../puller/run-puller.ts';
import { createAwsClients } from '../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../shared/adapters/aws/ensure-infrastructure.ts';
import { ensureExampleFleet } from '../shared/adapters/embedded/example-fleet.ts';
import { startFauxqs } from '../shared/adapters/embedded/fauxqs-server.ts';
import { startGitHttpServer } from '../shared/adapters/embedded/git-http-server.ts';
import { isLoopbackHost, localAddress } from '../shared/adapters/embedded/listen-address.ts';
import { dataWrappingKeyFile, LocalDataKeys } from '../shared/adapters/local/local-data-keys.ts';
import { ConfinedProcess, type SandboxPreference } from '../shared/adapters/render/confined-process.ts';
import { createDeps } from '../shared/config/create-deps.ts';
import { createEmbeddedSopsKeyring, hasAwsCredentials } from '../shared/config/sops-keyring.ts';
import type { ClusterRootSettings } from '../shared/core/fleet/cluster-root.ts';
import type { Job } from '../shared/core/pipeline/jobs.ts';
import type { Logger } from '../shared/ports/logger.ts';
import type { SopsKeyring } from '../shared/ports/sops-keyring.ts';
import { fetchSource } from '../shared/usecases/fetch-source.ts';
import { defaultQueueNames, type PipelineDeps, type QueueNames } from '../shared/usecases/pipeline-deps.ts';
import { recordApplyReport } from '../shared/usecases/record-apply-report.ts';
import { type FleetConfig, type FleetKeyOf, registerFleet } from '../shared/usecases/register-fleet.ts';
import { renderJob } from '../shared/usecases/render-job.ts';
import { scheduleSources } from '../shared/usecases/schedule-sources.ts';
import { removeControlPlaneContext, writeControlPlaneContext } from './control-plane-context.ts';
import { findKubeconfig, type KubeconfigEnv } from './find-kubeconfig.ts';
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
  /** Where each cluster starts in the fleet (path, branch, root names, variables); default `clusters/<name>`. */
  clusterRoots?: Record<string, ClusterRootSettings>;
  /** Omit to serve the example fleet from a local Git repository. */
  fleet?: FleetConfig;
  exampleFleetDir: string;
  host?: string;
  ports?: { api?: number; queue?: number; git?: number };
  webhookSecret?: string;
  /** What `sluice rollback` signs webhook rollbacks with; default: `<dataDir>/rollback-secret`, made once. */
  rollbackSecret?: string;
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
  /**
   * Where to write the context file (API address, data directory, paths of the secret files) that lets
   * `sluice status`/`reconcile` find this control plane from any directory; removed at close. Omit: none.
   */
  contextFile?: string;
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
  /** The embedded SOPS age key: where it is, and the recipient to encrypt fleet files to. */
  sops: { keyFile: string; recipient: string };
  deps: PipelineDeps;
  close(): Promise<void>;
}

const BUCKET = 'sluice-artifacts';

/** What the steps of a start share: options, where to listen, and how to stop what has started. */
interface StartContext {
  opts: ControlPlaneOptions;
  host: string;
  stops: (() => Promise<void>)[];
  abort: AbortController;
  /** The local puller's state once step 6 has run: the status API shows it (why nothing is applied). */
  puller?: ControlPlane['puller'];
}

/**
 * A visible list of named steps: 1. the store, 2. the fleet's Git server, 3. the pipeline's dependencies
 * and the fleet's registration, 4. the workers and the scheduler, 5. the HTTP API, 6. the local puller.
 * A failed step stops everything started before it.
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const ctx: StartContext = { opts, host: opts.host ?? '127.0.0.1', stops: [], abort: new AbortController() };
  try {
    const store = await startStore(ctx);
    const fleet = await serveFleet(ctx);
    // Probed at start, so `--render-sandbox bwrap` without a working bubblewrap fails now, not at a render.
    const renderSandbox = new ConfinedProcess(opts.renderSandbox ?? 'bwrap').mode();
    // The embedded SOPS age key (made on first start): fleet files encrypted to its recipient decrypt here.
    const sops = await createEmbeddedSopsKeyring({
      kms: hasAwsCredentials(process.env),
      keyFile: join(opts.dataDir, 'keys', 'sops.agekey'),
    });
    const deps = await pipelineDeps(ctx, store, fleet, sops.keyring);
    const fleetKey = await registerFleet(deps, fleet.config);
    startWorkers(ctx, deps, store.queues, fleetKey);
    const webhookSecret = opts.webhookSecret ?? loadOrCreateToken(opts.dataDir, 'webhook-secret');
    // Apart from the webhook secret, which a Git host is given: only the operators roll back.
    const rollbackSecret = opts.rollbackSecret ?? loadOrCreateToken(opts.dataDir, 'rollback-secret');
    const api = await startApi(ctx, deps, { webhookSecret, rollbackSecret });
    const publicKeyPem = await deps.keys.publicKeyPem();
    const puller = await startLocalPuller(ctx, store, publicKeyPem);
    ctx.puller = puller;
    if (opts.contextFile) announce(ctx, opts.contextFile, api, !opts.webhookSecret);
    return {
      apiUrl: api.url,
      fleetUrl: fleet.config.url,
      ...(fleet.auth && { fleetAuth: fleet.auth }),
      queueEndpoint: store.endpoint,
      storeCredentialsFile: join(opts.dataDir, STORE_CREDENTIALS_FILE),
      ...(api.tokenFile && { apiTokenFile: api.tokenFile }),
      webhookSecret,
      publicKeyPem,
      puller,
      sops: { keyFile: join(opts.dataDir, 'keys', 'sops.agekey'), recipient: sops.recipient },
      renderSandbox,
      deps,
      close: async () => {
        for (const stop of ctx.stops.splice(0)) await stop();
      },
    };
  } catch (err) {
    ctx.abort.abort();
    for (const stop of ctx.stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

interface LocalStore {
  endpoint: string;
  queues: QueueNames;
  credentials: ReturnType<typeof loadOrCreateStoreCredentials>;
}

/** 1. The SQS/S3 server, answering only the keys generated on first start, with its queues and bucket. */
async function startStore(ctx: StartContext): Promise<LocalStore> {
  const queues = defaultQueueNames();
  // Generated on first start: the SQS/S3 server answers nobody else, and each puller only its grant.
  const credentials = loadOrCreateStoreCredentials(ctx.opts.dataDir, ctx.opts.clusters);
  const fauxqs = await startFauxqs({
    dataDir: join(ctx.opts.dataDir, 'queue-store'),
    host: ctx.host,
    port: ctx.opts.ports?.queue ?? 0,
    principals: storePrincipals(credentials, ctx.opts.clusters, queues, BUCKET),
    // Local pullers open their data keys here, under the KMS statement of their cloud role's policy.
    kms: new LocalDataKeys(dataWrappingKeyFile(ctx.opts.dataDir)),
  });
  ctx.stops.push(() => fauxqs.close());
  await ensureInfrastructure(
    createAwsClients({
      region: 'us-east-1',
      endpoint: fauxqs.endpoint,
      credentials: credentials.controlPlane,
    }),
    queues,
    ctx.opts.clusters,
    BUCKET,
  );
  return { endpoint: fauxqs.endpoint, queues, credentials };
}

/** 2. The fleet: the configured repository, or the example fleet served by a token-protected Git server. */
async function serveFleet(
  ctx: StartContext,
): Promise<{ config: FleetConfig; auth?: ControlPlane['fleetAuth'] }> {
  if (ctx.opts.fleet) return { config: ctx.opts.fleet };
  const gitRoot = join(ctx.opts.dataDir, 'git');
  await ensureExampleFleet(gitRoot, 'fleet', ctx.opts.exampleFleetDir);
  // The token travels in the fetch's credentials (never in the URL or the store).
  const credentials = { username: GIT_USER, password: loadOrCreateToken(ctx.opts.dataDir, GIT_TOKEN_FILE) };
  const git = await startGitHttpServer({
    root: gitRoot,
    host: ctx.host,
    port: ctx.opts.ports?.git ?? 0,
    auth: credentials,
  });
  ctx.stops.push(() => git.close());
  // Reached over loopback when listening everywhere: the token goes over plain HTTP to this machine only.
  const url = `http://${localAddress(ctx.host)}:${git.port}/fleet.git`;
  return {
    config: { url, branch: 'main', intervalMs: 60_000, credentials },
    auth: { username: GIT_USER, tokenFile: join(ctx.opts.dataDir, GIT_TOKEN_FILE) },
  };
}

/** 3. The pipeline's dependencies: the composition root chooses the adapters. */
function pipelineDeps(
  ctx: StartContext,
  store: LocalStore,
  fleet: { config: FleetConfig },
  sops: SopsKeyring,
): Promise<PipelineDeps> {
  const { opts } = ctx;
  return createDeps('embedded', {
    sops,
    dataDir: opts.dataDir,
    store: { endpoint: store.endpoint, credentials: store.credentials.controlPlane, bucket: BUCKET },
    queues: store.queues,
    fleet: {
      url: fleet.config.url,
      ...(fleet.config.credentials && { credentials: fleet.config.credentials }),
    },
    ...(opts.allowedSourceHosts && { allowedSourceHosts: opts.allowedSourceHosts }),
    renderSandbox: opts.renderSandbox ?? 'bwrap',
    pipeline: {
      clusters: opts.clusters,
      ...(opts.clusterRoots && { clusterRoots: opts.clusterRoots }),
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
}

/** 4. Fetch, render and per-cluster report workers, and the scheduler tick. */
function startWorkers(ctx: StartContext, deps: PipelineDeps, queues: QueueNames, fleetKey: FleetKeyOf): void {
  const { opts } = ctx;
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
      signal: ctx.abort.signal,
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
  ctx.stops.unshift(async () => {
    clearInterval(schedule);
    ctx.abort.abort();
    await Promise.allSettled(loops);
  });
}

/** 5. Webhook and status API; beyond loopback the status API wants a bearer token too. */
async function startApi(
  ctx: StartContext,
  deps: PipelineDeps,
  secrets: { webhookSecret: string; rollbackSecret: string },
): Promise<{ url: string; tokenFile?: string; artifactTokenFile: string }> {
  const tokenFile = isLoopbackHost(ctx.host) ? undefined : join(ctx.opts.dataDir, API_TOKEN_FILE);
  // Always created: GET /api/artifact wants it even on loopback (artifacts may hold Secrets).
  const token = loadOrCreateToken(ctx.opts.dataDir, API_TOKEN_FILE);
  const api = await startHttpApi({
    deps,
    ...secrets,
    host: ctx.host,
    port: ctx.opts.ports?.api ?? 0,
    ...(tokenFile && { statusToken: token }),
    artifactToken: token,
    localPuller: () => ctx.puller,
  });
  ctx.stops.unshift(() => api.close());
  return {
    url: api.url,
    ...(tokenFile && { tokenFile }),
    artifactTokenFile: join(ctx.opts.dataDir, API_TOKEN_FILE),
  };
}

/** 6. A puller for the kubeconfig's current context, with its own cluster's store keys, when reachable. */
async function startLocalPuller(
  ctx: StartContext,
  store: LocalStore,
  publicKeyPem: string,
): Promise<ControlPlane['puller']> {
  const { opts } = ctx;
  const cluster = opts.pullerCluster ?? opts.clusters[0] ?? '';
  const kube = await reachableCluster(opts.kube ?? 'default');
  if (!kube.config) return { state: 'off', reason: kube.reason ?? '' };
  const key = store.credentials.clusters[cluster];
  if (!key) return { state: 'off', reason: `cluster "${cluster}" is not declared (--cluster)` };
  // The puller uses its cluster's own keys: the store lets it read only what its cloud role could.
  const pullerDeps = await createDeps('puller', {
    cluster,
    aws: { region: 'us-east-1', endpoint: store.endpoint, credentials: key },
    bucket: BUCKET,
    queues: store.queues,
    kube: kube.config,
    publicKeyPem,
    inventoryNamespace: 'sluice-system',
    establishTimeoutMs: 30_000,
    log: opts.log,
  });
  const loop = runPuller(pullerDeps, {
    intervalMs: opts.pullerIntervalMs ?? 60_000,
    waitSeconds: 1,
    signal: ctx.abort.signal,
  });
  ctx.stops.unshift(async () => {
    ctx.abort.abort();
    await loop;
  });
  return { cluster, state: 'running' };
}

/** 7. The context file: once everything answers, tell the CLI where (never what) the credentials are. */
function announce(
  ctx: StartContext,
  file: string,
  api: { url: string; artifactTokenFile: string },
  secretOnFile: boolean,
): void {
  const dataDir = resolve(ctx.opts.dataDir);
  writeControlPlaneContext(file, {
    apiUrl: api.url,
    dataDir,
    ...(secretOnFile && { webhookSecretFile: join(dataDir, 'webhook-secret') }),
    // The token is always there (GET /api/artifact wants it even on loopback); status sends it harmlessly.
    apiTokenFile: resolve(api.artifactTokenFile),
    pid: process.pid,
  });
  ctx.stops.unshift(async () => removeControlPlaneContext(file, api.url));
}

/** `env`: where the kubeconfig is looked for (process.env unless a test says otherwise). */
async function reachableCluster(
  kube: 'default' | 'none' | KubeConfig,
  env: KubeconfigEnv = process.env,
): Promise<{ config?: KubeConfig; reason?: string }> {
  if (kube === 'none') return { reason: 'disabled (--no-puller)' };
  let config = kube;
  if (config === 'default') {
    // Not loadFromDefault: without a kubeconfig it quietly points at localhost:8080 and fails with a TLS error.
    const found = findKubeconfig(env);
    if ('reason' in found) return { reason: found.reason };
    config = found.config;
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
