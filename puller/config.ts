// The puller's settings, read from its environment once and validated: which cluster it is, where the
// artifacts and its queue are, and how to verify signatures.
import { isServiceAccountName } from '../shared/api/service-account-name.ts';
import { SluiceError } from '../shared/core/errors.ts';

export interface PullerConfig {
  cluster: string;
  region: string;
  bucket: string;
  queuePrefix: string;
  /** PEM public key; or, when absent, fetched once from KMS with kms:GetPublicKey. */
  publicKeyPem?: string;
  signingKeyArn?: string;
  intervalMs: number;
  inventoryNamespace: string;
  /** Longest one Kubernetes API request may take (SLUICE_KUBE_TIMEOUT_SECONDS, default 30). */
  kubeTimeoutMs: number;
  /** One endpoint for S3, SQS and KMS (an S3/SQS-compatible store, a VPC endpoint, local test servers). */
  awsEndpoint?: string;
  /**
   * SLUICE_DEFAULT_SERVICE_ACCOUNT (Flux's --default-service-account): targets without serviceAccountName
   * are applied as this service account of their own namespace instead of with the puller's rights.
   */
  defaultServiceAccount?: string;
  /** Where /healthz, /readyz and /metrics listen (SLUICE_METRICS_ADDR, default 127.0.0.1:8080). */
  metricsAddress: { host: string; port: number };
  /** SLUICE_CONCURRENT (Flux's --concurrent, default 4): targets reconciled at once. */
  concurrency: number;
}

export function loadPullerConfig(env: NodeJS.ProcessEnv = process.env): PullerConfig {
  const problems: string[] = [];
  const need = (name: string, hint: string) => {
    if (!env[name]) problems.push(`${name} is not set (${hint})`);
    return env[name] ?? '';
  };
  const cluster = need('SLUICE_CLUSTER', "this cluster's name as declared in sluice.config.ts");
  const bucket = need('SLUICE_BUCKET', 'the artifact bucket from the deploy outputs');
  const region = env.AWS_REGION ?? need('AWS_REGION', 'the region of the Sluice deployment');
  if (!env.SLUICE_PUBLIC_KEY && !env.SLUICE_SIGNING_KEY_ARN) {
    problems.push('set SLUICE_PUBLIC_KEY (PEM) or SLUICE_SIGNING_KEY_ARN (the deploy output signingKeyArn)');
  }
  const interval = Number(env.SLUICE_INTERVAL_SECONDS ?? 60);
  if (!(interval >= 5)) problems.push('SLUICE_INTERVAL_SECONDS must be at least 5');
  const kubeTimeout = Number(env.SLUICE_KUBE_TIMEOUT_SECONDS ?? 30);
  if (!(kubeTimeout >= 1 && kubeTimeout <= 600))
    problems.push('SLUICE_KUBE_TIMEOUT_SECONDS must be between 1 and 600');
  const endpoint = env.SLUICE_AWS_ENDPOINT;
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint))
    problems.push('SLUICE_AWS_ENDPOINT must be an http(s):// URL');
  const metricsAddress = parseListenAddress(env.SLUICE_METRICS_ADDR ?? '127.0.0.1:8080');
  if (!metricsAddress)
    problems.push('SLUICE_METRICS_ADDR must be host:port (127.0.0.1:8080, 0.0.0.0:8080, [::]:8080)');
  // Empty is unset, as Flux's flag: a chart can always render the variable.
  const defaultServiceAccount = env.SLUICE_DEFAULT_SERVICE_ACCOUNT || undefined;
  if (defaultServiceAccount !== undefined && !isServiceAccountName(defaultServiceAccount))
    problems.push(
      'SLUICE_DEFAULT_SERVICE_ACCOUNT must be a ServiceAccount name (lowercase letters, digits, "-" and "."), without namespace',
    );
  const concurrency = Number(env.SLUICE_CONCURRENT || 4);
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64))
    problems.push('SLUICE_CONCURRENT must be a whole number from 1 to 64');
  if (problems.length > 0)
    throw new SluiceError('ConfigInvalid', `invalid puller configuration: ${problems.join('; ')}`);
  return {
    cluster,
    region,
    bucket,
    queuePrefix: env.SLUICE_QUEUE_PREFIX ?? 'sluice',
    ...(env.SLUICE_PUBLIC_KEY && { publicKeyPem: env.SLUICE_PUBLIC_KEY }),
    ...(env.SLUICE_SIGNING_KEY_ARN && { signingKeyArn: env.SLUICE_SIGNING_KEY_ARN }),
    intervalMs: interval * 1000,
    inventoryNamespace: env.SLUICE_INVENTORY_NAMESPACE ?? 'sluice-system',
    kubeTimeoutMs: kubeTimeout * 1000,
    ...(endpoint && { awsEndpoint: endpoint }),
    ...(defaultServiceAccount && { defaultServiceAccount }),
    metricsAddress: metricsAddress ?? { host: '127.0.0.1', port: 8080 },
    concurrency,
  };
}

/** `host:port` or `[ipv6]:port`; the port may be 0 (any free one). */
export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  return host && port <= 65535 ? { host, port } : undefined;
}
