// A running puller loop for endpoint tests: the real local S3/SQS server, a test Kubernetes API server, the
// loop of puller/run-puller.ts with its telemetry, and its /healthz, /readyz and /metrics on a free port.
import { KubeConfig } from '@kubernetes/client-node';
import { type EndpointsServer, serveEndpoints } from '../../puller/endpoints-server.ts';
import { runPuller } from '../../puller/run-puller.ts';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import { encodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { KeyService } from '../../shared/ports/key-service.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { PullerTelemetry } from '../../shared/usecases/puller/puller-telemetry.ts';
import { type KubeApiServer, startKubeApiServer } from './kube-api-server.ts';
import {
  type PullerWorld,
  pullerDeps,
  startPullerWorld,
  storeAndIndex,
  testArtifact,
} from './puller-world.ts';

export interface PullerLoop {
  world: PullerWorld;
  kube: KubeApiServer;
  deps: PullerDeps;
  telemetry: PullerTelemetry;
  endpoints: EndpointsServer;
  /** Signs (with `keys`, the world's signing key unless given) and indexes an artifact of `objects` for `target`. */
  publish(target: Target, objects: KubeObject[], n: number, keys?: KeyService): Promise<string>;
  /** Starts the loop (publish first what the first full pass should see). */
  start(): void;
  /** Sends a nudge for `target` to the cluster's queue, as the control plane does after publishing. */
  nudge(target: Target, digest: string): Promise<void>;
  close(): Promise<void>;
}

export const LOOP_INTERVAL_MS = 60_000;

export async function startPullerLoop(name: string, cluster = 'edge'): Promise<PullerLoop> {
  const queues = defaultQueueNames(name);
  const world = await startPullerWorld({ name, bucket: 'sluice', queues, clusters: [cluster] });
  const kube = await startKubeApiServer({ namespaces: ['apps'] });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig());
  const deps: PullerDeps = {
    ...pullerDeps(world, {
      cluster,
      kube: new ClientNodeCluster(kc),
      clock: { t: 0 },
      queues: { cluster: queues.cluster(cluster), reports: queues.reports(cluster) },
    }),
    // Real time: queue lag compares the queue's own timestamps with it.
    clock: systemClock,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 200))),
  };
  const telemetry = new PullerTelemetry(deps.clock, { intervalMs: LOOP_INTERVAL_MS });
  const endpoints = await serveEndpoints(telemetry, { host: '127.0.0.1', port: 0 });
  const abort = new AbortController();
  let loop: Promise<void> | undefined;
  return {
    world,
    kube,
    deps,
    telemetry,
    endpoints,
    async publish(target, objects, n, keys = world.keys) {
      const owned = objects.map((o) => {
        const copy = structuredClone(o);
        setOwnerLabels(copy, target);
        return copy;
      });
      const signed = await signArtifact(testArtifact(cluster, target, n, owned), keys);
      await storeAndIndex(deps, target, signed, { revision: `main@sha1:${n}`, publishedAt: Date.now() });
      return signed.digest;
    },
    start() {
      loop = runPuller(deps, {
        intervalMs: LOOP_INTERVAL_MS,
        waitSeconds: 1,
        signal: abort.signal,
        metrics: telemetry,
      });
    },
    async nudge(target, digest) {
      await world.queue.send(deps.queues.cluster, { body: encodeJob({ kind: 'nudge', target, digest }) });
    },
    async close() {
      abort.abort();
      await loop;
      await endpoints.close();
      await kube.close();
      await world.close();
    },
  };
}

/** GET `path` of the loop's endpoints. */
export async function scrape(loop: PullerLoop, path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${loop.endpoints.url}${path}`, init);
}

/** Polls until `check` holds (or about `ms` passed), for what the loop does in its own time. */
export async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
