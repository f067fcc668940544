// What the puller costs a cluster, measured on its bundle (what the image runs) as a child process against the
// local S3/SQS server and the test Kubernetes API server, with signed artifacts published as the control plane
// does: idle memory and CPU, applying 1,500 objects, and memory after 1,000 reconciles. Each figure has a
// baseline from the same run: a bare Node process for memory and CPU, a plain HTTP client for the apply.
// SLUICE_BENCH_IDLE_SECONDS (default 60) and SLUICE_BENCH_RECONCILES (default 1000) shorten a quick run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePuller } from '../puller/build/bundle-puller.ts';
import { createAwsClients } from '../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../shared/adapters/aws/ensure-infrastructure.ts';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../shared/adapters/aws/sqs-queue.ts';
import { startFauxqs } from '../shared/adapters/embedded/fauxqs-server.ts';
import { LocalKeyService } from '../shared/adapters/local/local-key-service.ts';
import { signArtifact } from '../shared/core/artifact/sign-artifact.ts';
import { type ApplyReport, decodeJob, encodeJob } from '../shared/core/pipeline/jobs.ts';
import { queueNames } from '../shared/core/pipeline/resource-names.ts';
import { kustomizationTarget, type Target } from '../shared/core/pipeline/target.ts';
import { setOwnerLabels } from '../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../shared/core/render/yaml-codec.ts';
import { deployment } from '../test/support/deployment-fixture.ts';
import { parseDockerfile } from '../test/support/dockerfile.ts';
import { startKubeApiServer } from '../test/support/kube-api-server.ts';
import { revisionOf, storeAndIndex, testArtifact } from '../test/support/puller-world.ts';
import { round } from './measure.ts';
import { cpuPercentOver, type MeteredProcess, startMetered } from './process-meter.ts';
import { plainApply } from './ssa-baseline.ts';

const BUCKET = 'sluice';
const PREFIX = 'fp';
const IDLE_SECONDS = Number(process.env.SLUICE_BENCH_IDLE_SECONDS ?? 60);
const RECONCILES = Number(process.env.SLUICE_BENCH_RECONCILES ?? 1000);
const BULK = 1500;
const IDLE_INTERVAL_SECONDS = 20;

export async function pullerFootprint(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-footprint-'));
  const fauxqs = await startFauxqs({});
  const kube = await startKubeApiServer({ namespaces: ['bulk', 'plain', 'churn'] });
  // Idle against an API server as a cluster serves it: TLS, HTTP/2 offered first (client-node's undici then
  // speaks HTTP/2, and its HTTP/1 parser never loads). The applies stay on plain HTTP/1.1, as the plain
  // client they are compared with speaks.
  const clusterLike = await startKubeApiServer({ namespaces: ['idle'], tls: true });
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: fauxqs.endpoint,
    credentials: fauxqs.credentials,
  });
  const running: MeteredProcess[] = [];
  try {
    const bundle = await bundlePuller(join(dir, 'image', 'puller.cjs'));
    const queues = queueNames(PREFIX);
    await ensureInfrastructure(clients, queues, ['idle', 'bulk', 'churn'], BUCKET);
    writeFileSync(join(dir, 'kubeconfig'), kube.kubeconfig());
    writeFileSync(join(dir, 'kubeconfig-tls'), clusterLike.kubeconfig());
    const keys = new LocalKeyService(join(dir, 'keys', 'signing.pem'));
    const world = {
      store: new S3ObjectStore(clients.s3, BUCKET),
      queue: new SqsQueue(clients.sqs),
      keys,
      queues,
    };
    const image = asTheImageRunsIt(bundle.file);
    const pullerEnv = async (cluster: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> => ({
      ...image.env,
      PATH: process.env.PATH ?? '',
      SLUICE_CLUSTER: cluster,
      SLUICE_BUCKET: BUCKET,
      SLUICE_QUEUE_PREFIX: PREFIX,
      SLUICE_PUBLIC_KEY: await keys.publicKeyPem(),
      SLUICE_AWS_ENDPOINT: fauxqs.endpoint,
      SLUICE_INVENTORY_NAMESPACE: `sluice-${cluster}`,
      SLUICE_METRICS_ADDR: '127.0.0.1:0',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: fauxqs.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: fauxqs.credentials.secretAccessKey,
      KUBECONFIG: join(dir, 'kubeconfig'),
      ...extra,
    });
    const startPuller = async (cluster: string, extra?: NodeJS.ProcessEnv) => {
      const proc = startMetered([process.execPath, ...image.args], await pullerEnv(cluster, extra));
      running.push(proc);
      return proc;
    };

    // 1. Idle: started, its first pass done (one target of ten ConfigMaps), then nothing new to do. Its full
    // passes (reads and dry runs of every object, for drift) come every 20 s rather than the default 60, so the
    // minute measured holds three of them, not a race with the first; resident memory is sampled each second.
    const idleTarget = kustomizationTarget({ namespace: 'flux-system', name: 'idle' });
    await publish(world, 'idle', idleTarget, 1, configMaps(idleTarget, 'idle', 10, 1));
    const bare = startMetered([process.execPath, '-e', 'setInterval(() => {}, 1000)'], {});
    running.push(bare);
    const idle = await startPuller('idle', {
      SLUICE_INTERVAL_SECONDS: String(IDLE_INTERVAL_SECONDS),
      KUBECONFIG: join(dir, 'kubeconfig-tls'),
    });
    await reportOf(world, 'idle', revisionOf(1), idle);
    if (!clusterLike.requests.every((r) => r.httpVersion === '2.0'))
      throw new Error('the idle puller did not speak HTTP/2 to the TLS API server');
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(idle.rssMib()), 1000);
    const [idleCpu, bareCpu] = await Promise.all([
      cpuPercentOver(idle, IDLE_SECONDS),
      cpuPercentOver(bare, IDLE_SECONDS),
    ]).finally(() => clearInterval(sampler));
    const idleRss = idle.rssMib();
    const idleRssMax = Math.max(idleRss, ...samples);
    const bareRss = bare.rssMib();
    await idle.stop();
    await bare.stop();

    // 2. One artifact of 1,500 objects (ConfigMaps and Deployments), from the nudge to its report;
    // the baseline sends the same objects to the same server as plain server-side-apply PATCHes.
    const bulkTarget = kustomizationTarget({ namespace: 'flux-system', name: 'bulk' });
    const bulkObjects = mixed(bulkTarget, 'bulk', BULK);
    const plain = await plainApply(
      kube.url,
      bulkObjects.map((o) => ({ ...o, metadata: { ...(o.metadata as object), namespace: 'plain' } })),
      dir,
    );
    const bulk = await startPuller('bulk');
    await until(() => kube.object('v1', 'Namespace', 'sluice-bulk') !== undefined, bulk);
    await new Promise((r) => setTimeout(r, 1000)); // its first (empty) pass over, now long-polling
    const start = performance.now();
    const cpuBefore = bulk.cpuSeconds();
    await publish(world, 'bulk', bulkTarget, 1, bulkObjects);
    const bulkReport = await reportOf(world, 'bulk', revisionOf(1), bulk);
    const applySeconds = (performance.now() - start) / 1000;
    const applyCpu = bulk.cpuSeconds() - cpuBefore;
    if (!bulkReport.ready || bulkReport.applied !== BULK)
      throw new Error(`the bulk apply did not succeed: ${bulkReport.reason} ${bulkReport.message}`);
    const bulkPeak = bulk.peakRssMib();
    await bulk.stop();

    // 3. Many reconciles: each a new signed artifact of ten ConfigMaps, nudged and waited for.
    const churnTarget = kustomizationTarget({ namespace: 'flux-system', name: 'churn' });
    const churn = await startPuller('churn');
    const warmAt = Math.max(1, Math.round(RECONCILES / 10));
    let warmRss = 0;
    for (let n = 1; n <= RECONCILES; n++) {
      await publish(world, 'churn', churnTarget, n, configMaps(churnTarget, 'churn', 10, n));
      await reportOf(world, 'churn', revisionOf(n), churn);
      if (n === warmAt) warmRss = churn.rssMib();
    }
    const afterRss = churn.rssMib();
    await churn.stop();

    return {
      puller_bundle_kb: round(bundle.bytes / 1024, 1),
      puller_idle_rss_mib: round(idleRss, 1),
      puller_idle_rss_max_mib: round(idleRssMax, 1),
      puller_idle_rss_bare_node_mib: round(bareRss, 1),
      puller_idle_rss_ratio_vs_bare_node: round(idleRss / bareRss, 2),
      puller_idle_cpu_pct: round(idleCpu, 2),
      puller_idle_cpu_bare_node_pct: round(bareCpu, 2),
      puller_idle_seconds: IDLE_SECONDS,
      puller_idle_interval_seconds: IDLE_INTERVAL_SECONDS,
      apply_1500_objects_s: round(applySeconds, 2),
      apply_1500_plain_patch_s: round(plain.seconds, 2),
      apply_1500_ratio_vs_plain_patch: round(applySeconds / plain.seconds, 2),
      apply_1500_cpu_s: round(applyCpu, 2),
      apply_1500_plain_client_cpu_s: round(plain.cpuSeconds, 2),
      apply_1500_cpu_ratio_vs_plain_client: round(applyCpu / plain.cpuSeconds, 2),
      apply_1500_peak_rss_mib: round(bulkPeak, 1),
      apply_1500_plain_client_peak_rss_mib: round(plain.peakRssMib, 1),
      apply_1500_peak_rss_ratio_vs_plain_client: round(bulkPeak / plain.peakRssMib, 2),
      puller_reconciles: RECONCILES,
      puller_rss_after_1000_mib: round(afterRss, 1),
      puller_rss_after_first_tenth_mib: round(warmRss, 1),
      puller_rss_growth_after_first_tenth_mib: round(afterRss - warmRss, 1),
      puller_rss_after_1000_ratio_vs_bare_node: round(afterRss / bareRss, 2),
    };
  } finally {
    for (const proc of running) await proc.stop();
    await kube.close();
    await clusterLike.close();
    clients.sqs.destroy();
    clients.s3.destroy();
    clients.kms.destroy();
    await fauxqs.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The final stage's ENTRYPOINT arguments after node (its flags, the bundle moved to `bundleFile`) and ENV. */
function asTheImageRunsIt(bundleFile: string): { args: string[]; env: Record<string, string> } {
  const dockerfile = readFileSync(join(import.meta.dirname, '../puller/Dockerfile'), 'utf8');
  const final = parseDockerfile(dockerfile).at(-1);
  const entrypoint = final?.instructions.find((i) => i.keyword === 'ENTRYPOINT')?.exec ?? [];
  const args = entrypoint.slice(1).map((a) => (a === '/app/puller.cjs' ? bundleFile : a));
  if (!args.includes(bundleFile)) throw new Error('the puller ENTRYPOINT does not run /app/puller.cjs');
  const env: Record<string, string> = {};
  for (const i of final?.instructions ?? [])
    if (i.keyword === 'ENV')
      for (const pair of i.args.split(/\s+/)) {
        const [key = '', ...value] = pair.split('=');
        env[key] = value.join('=');
      }
  return { args, env };
}

interface World {
  store: S3ObjectStore;
  queue: SqsQueue;
  keys: LocalKeyService;
  queues: ReturnType<typeof queueNames>;
}

/** As the control plane publishes: sign, store, point the index at it, nudge the cluster. */
async function publish(world: World, cluster: string, target: Target, n: number, objects: KubeObject[]) {
  const signed = await signArtifact(testArtifact(cluster, target, n, objects), world.keys);
  await storeAndIndex({ store: world.store, cluster }, target, signed, {
    revision: revisionOf(n),
    publishedAt: Date.now(),
  });
  await world.queue.send(world.queues.cluster(cluster), {
    body: encodeJob({ kind: 'nudge', target, digest: signed.digest }),
  });
}

/** The puller's report on `revision`, taken off the cluster's reports queue (earlier reports are dropped). */
async function reportOf(
  world: World,
  cluster: string,
  revision: string,
  puller: MeteredProcess,
): Promise<ApplyReport> {
  const queue = world.queues.reports(cluster);
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (puller.child.exitCode !== null) throw new Error(`the puller exited: ${puller.output()}`);
    for (const m of await world.queue.receive(queue, { maxMessages: 10, waitSeconds: 1 })) {
      await world.queue.ack(queue, m.receiptHandle);
      const job = decodeJob(m.body);
      if (job.kind === 'apply-report' && job.revision === revision) return job;
    }
  }
  throw new Error(`no report on ${revision} from the ${cluster} puller: ${puller.output()}`);
}

async function until(ready: () => boolean, puller: MeteredProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the puller did not start: ${puller.output()}`);
}

/** `count` ConfigMaps of about 1 KiB each, their content new with every `n`. */
function configMaps(target: Target, namespace: string, count: number, n: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) =>
    owned(target, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}`, namespace },
      data: { generation: String(n), body: `${n}:${i}:`.padEnd(1024, 'x') },
    }),
  );
}

/** Half ConfigMaps, half Deployments. */
function mixed(target: Target, namespace: string, count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => {
    if (i % 2 === 0)
      return owned(target, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, namespace },
        data: { index: String(i), body: ''.padEnd(512, 'x') },
      });
    const d = deployment(`web-${i}`, `web-${i}`);
    return owned(target, { ...d, metadata: { ...(d.metadata as object), namespace } });
  });
}

function owned(target: Target, obj: KubeObject): KubeObject {
  setOwnerLabels(obj, target);
  return obj;
}
