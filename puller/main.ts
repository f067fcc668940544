#!/usr/bin/env node
// The in-cluster puller: in-cluster Kubernetes credentials, S3/SQS/KMS through its pod's IAM role (EKS Pod
// Identity or IRSA), and the main loop until SIGTERM, with /healthz, /readyz and /metrics served beside it. Its
// adapters are chosen in shared/config/create-puller-deps.ts.
import { KubeConfig } from '@kubernetes/client-node';
import { createPullerDeps } from '../shared/config/create-puller-deps.ts';
import { queueNames } from '../shared/core/pipeline/resource-names.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { consoleLogger } from '../shared/ports/logger.ts';
import { PullerTelemetry } from '../shared/usecases/puller/puller-telemetry.ts';
import { loadPullerConfig } from './config.ts';
import { type EndpointsServer, serveEndpoints } from './endpoints-server.ts';
import { runPuller } from './run-puller.ts';

// A function, not top-level await: the image runs the bundle as CommonJS (puller/build/bundle-puller.ts).
async function main(): Promise<void> {
  const config = loadPullerConfig();
  const log = consoleLogger(`sluice-puller/${config.cluster}`);
  /** V8's collector, present when node runs with --expose-gc (the image's ENTRYPOINT). */
  const gc = (globalThis as { gc?: (options: object) => unknown }).gc;
  const kube = new KubeConfig();
  kube.loadFromDefault(); // in a pod: the service account token
  const deps = await createPullerDeps({
    cluster: config.cluster,
    aws: { region: config.region, ...(config.awsEndpoint && { endpoint: config.awsEndpoint }) },
    bucket: config.bucket,
    queues: queueNames(config.queuePrefix),
    kube,
    kubeTimeoutMs: config.kubeTimeoutMs,
    ...(config.publicKeyPem && { publicKeyPem: config.publicKeyPem }),
    ...(config.signingKeyArn && { signingKeyArn: config.signingKeyArn }),
    inventoryNamespace: config.inventoryNamespace,
    establishTimeoutMs: 60_000,
    ...(config.defaultServiceAccount && { defaultServiceAccount: config.defaultServiceAccount }),
    concurrency: config.concurrency,
    log,
    // After a pass: every collection V8 can do (compacting, pooled pages given back), ~10 ms once a minute.
    ...(gc && { releaseMemory: () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }) }),
  });
  const abort = new AbortController();
  process.once('SIGTERM', () => abort.abort());
  process.once('SIGINT', () => abort.abort());
  const telemetry = new PullerTelemetry(systemClock, { intervalMs: config.intervalMs });
  // A port taken is logged, not fatal: in a pod the probes then fail and the kubelet restarts it with this
  // line in its log; run by hand, the puller still works.
  const endpoints: EndpointsServer | undefined = await serveEndpoints(telemetry, config.metricsAddress).catch(
    (err: Error) => {
      log.error('cannot serve /healthz, /readyz and /metrics', {
        address: `${config.metricsAddress.host}:${config.metricsAddress.port}`,
        error: err.message,
      });
      return undefined;
    },
  );
  log.info('starting', {
    bucket: config.bucket,
    queue: deps.queues.cluster,
    ...(endpoints && { endpoints: endpoints.url }),
  });
  await runPuller(deps, {
    intervalMs: config.intervalMs,
    waitSeconds: 20,
    signal: abort.signal,
    metrics: telemetry,
  });
  await endpoints?.close();
  log.info('stopped');
}

// What main throws (bad configuration, no credentials) ends the process as an uncaught error would.
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
