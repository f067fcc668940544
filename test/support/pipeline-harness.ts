// End-to-end harness: a fleet repository behind the real `git http-backend`, the test Kubernetes API
// server, and the embedded control plane wired to both, with helpers to push, call the webhook and wait.
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  type ControlPlane,
  type ControlPlaneOptions,
  startControlPlane,
} from '../../embedded/control-plane.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import { type Logger, silentLogger } from '../../shared/ports/logger.ts';
import type { StatusView } from '../../shared/usecases/read-status.ts';
import { createFixtureRepo, type FixtureRepo } from './git-fixture-repo.ts';
import { type GitHttpServer, startGitHttpServer } from './git-http-server.ts';
import { type KubeApiServer, startKubeApiServer } from './kube-api-server.ts';

export const EXAMPLE_FLEET = join(import.meta.dirname, '../../examples/fleet');
export const WEBHOOK_SECRET = 'e2e-webhook-secret';
/** What `sluice rollback` signs with through the webhook (the operators' secret, apart from the Git host's). */
export const ROLLBACK_SECRET = 'e2e-rollback-secret';

export interface Harness {
  root: string;
  dataDir: string;
  repo: FixtureRepo;
  git: GitHttpServer;
  kube: KubeApiServer;
  plane: ControlPlane;
  start(): Promise<ControlPlane>;
  push(files: Record<string, string | null>, message: string): Promise<string>;
  webhook(body?: unknown, secret?: string): Promise<Response>;
  status(): Promise<StatusView>;
  waitFor<T>(
    what: string,
    probe: () => T | undefined | Promise<T | undefined>,
    timeoutMs?: number,
  ): Promise<T>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The fleet's first commit: this directory instead of the example fleet. */
  fleet?: string;
  /** Files written over the example fleet before the first commit (null deletes). */
  files?: Record<string, string | null>;
  /** Render workers' messages in flight at once. */
  renderBatch?: number;
  log?: Logger;
  /** Settings passed through to the control plane (e.g. noCrossNamespaceRefs, limits). */
  settings?: Partial<
    Pick<
      ControlPlaneOptions,
      | 'noCrossNamespaceRefs'
      | 'maxObjectsPerRender'
      | 'maxChildrenPerKustomization'
      | 'allowedSourceHosts'
      | 'clusters'
      | 'clusterRoots'
      | 'pullerCluster'
    >
  >;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  const repo = await createFixtureRepo(join(root, 'served'), 'fleet');
  cpSync(opts.fleet ?? EXAMPLE_FLEET, repo.workDir, { recursive: true });
  if (opts.files) await repo.write(opts.files);
  await repo.commit('example fleet');
  await repo.push();
  const git = await startGitHttpServer({ root: join(root, 'served') });
  const kube = await startKubeApiServer();
  const dataDir = join(root, 'data');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kube.kubeconfig());

  const h: Harness = {
    root,
    dataDir,
    repo,
    git,
    kube,
    plane: undefined as unknown as ControlPlane,
    async start() {
      h.plane = await startControlPlane({
        dataDir,
        // These tests are about the pipeline, not the sandbox: bubblewrap when installed, else a plain process.
        renderSandbox: 'auto',
        clusters: ['dev'],
        fleet: { url: git.url('fleet'), branch: 'main', intervalMs: 3_600_000 },
        exampleFleetDir: EXAMPLE_FLEET,
        webhookSecret: WEBHOOK_SECRET,
        rollbackSecret: ROLLBACK_SECRET,
        kube: kubeConfig,
        scheduleEveryMs: 3_600_000,
        pullerIntervalMs: 3_600_000,
        log: opts.log ?? silentLogger,
        ...(opts.renderBatch && { renderBatch: opts.renderBatch }),
        ...opts.settings,
      });
      return h.plane;
    },
    async push(files, message) {
      await repo.write(files);
      const sha = await repo.commit(message);
      await repo.push();
      return sha;
    },
    // Each call is a new delivery (a replayed body is queued once).
    async webhook(
      body = { repository: { clone_url: git.url('fleet') }, delivery: randomUUID() },
      secret = WEBHOOK_SECRET,
    ) {
      const text = JSON.stringify(body);
      return fetch(`${h.plane.apiUrl}/hooks/generic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(text, secret) },
        body: text,
      });
    },
    async status() {
      return (await (await fetch(`${h.plane.apiUrl}/api/status`)).json()) as StatusView;
    },
    async waitFor(what, probe, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          const value = await probe();
          if (value !== undefined && value !== false) return value as never;
        } catch (err) {
          last = err;
        }
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await h.plane?.close();
      await git.close();
      await kube.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return h;
}

export function kustomizationStatus(view: StatusView, name: string) {
  return view.clusters[0]?.kustomizations.find((k) => k.name === name);
}
