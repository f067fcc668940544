// What the puller costs a cluster: its bundle's size (all the image adds to node:24-slim) and its resident
// memory once started and idle after its first pass, against the local S3/SQS server and the test
// Kubernetes API server. Baselines in the same run: a bare Node process, and the puller run from source.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePuller } from '../puller/build/bundle-puller.ts';
import { createAwsClients } from '../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../shared/adapters/aws/ensure-infrastructure.ts';
import { startFauxqs } from '../shared/adapters/embedded/fauxqs-server.ts';
import { LocalKeyService } from '../shared/adapters/local/local-key-service.ts';
import { defaultQueueNames } from '../shared/usecases/pipeline-deps.ts';
import { startKubeApiServer } from '../test/support/kube-api-server.ts';
import { round } from './measure.ts';

const SETTLE_MS = 4000;

export async function pullerFootprint(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-footprint-'));
  const fauxqs = await startFauxqs({});
  const kube = await startKubeApiServer();
  try {
    const bundle = await bundlePuller(join(dir, 'image', 'puller.mjs'));
    const clients = createAwsClients({
      region: 'us-east-1',
      endpoint: fauxqs.endpoint,
      credentials: fauxqs.credentials,
    });
    await ensureInfrastructure(clients, defaultQueueNames('fp'), ['edge'], 'sluice');
    writeFileSync(join(dir, 'kubeconfig'), kube.kubeconfig());
    const env = {
      PATH: process.env.PATH ?? '',
      SLUICE_CLUSTER: 'edge',
      SLUICE_BUCKET: 'sluice',
      SLUICE_QUEUE_PREFIX: 'fp',
      SLUICE_PUBLIC_KEY: await new LocalKeyService(join(dir, 'keys', 'k.pem')).publicKeyPem(),
      SLUICE_AWS_ENDPOINT: fauxqs.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: fauxqs.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: fauxqs.credentials.secretAccessKey,
      KUBECONFIG: join(dir, 'kubeconfig'),
    };
    const bare = await residentAfter([process.execPath, '-e', 'setInterval(() => {}, 1000)'], {});
    const bundled = await residentAfter([process.execPath, bundle.file], env);
    const source = await residentAfter(
      [process.execPath, join(import.meta.dirname, '../puller/main.ts')],
      env,
    );
    return {
      puller_bundle_kb: round(bundle.bytes / 1024, 1),
      puller_rss_mb: round(bundled / 1024 ** 2, 1),
      puller_rss_bare_node_mb: round(bare / 1024 ** 2, 1),
      puller_rss_from_source_mb: round(source / 1024 ** 2, 1),
      puller_rss_ratio_vs_bare_node: round(bundled / bare, 2),
    };
  } finally {
    await kube.close();
    await fauxqs.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resident set size of a process SETTLE_MS after it started (its first pass done, long-polling). */
async function residentAfter(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const child: ChildProcess = spawn(cmd, args, { env, stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } finally {
    child.kill('SIGTERM');
  }
}
