// The one place the Lambda functions read their environment (set by the SST stacks), validated once per
// cold start; a missing or malformed setting fails with the variable's name and what is expected.
import { SluiceError } from '../core/errors.ts';
import { type ClusterRootSettings, clusterRootProblems } from '../core/fleet/cluster-root.ts';
import { parseAllowList } from '../core/net/source-address-policy.ts';
import { DEFAULT_RENDER_LIMITS } from '../core/pipeline/split-rendered-objects.ts';

export interface CloudConfig {
  region: string;
  bucket: string;
  queuePrefix: string;
  signingKeyArn: string;
  /** The symmetric key that wraps each cluster's data key (EncryptionContext {cluster}). */
  dataKeyArn: string;
  clusters: string[];
  /** SLUICE_CLUSTER_ROOTS (JSON): where each cluster starts in the fleet; unset clusters use `clusters/<name>`. */
  clusterRoots?: Record<string, ClusterRootSettings>;
  fleet: { url: string; branch: string; intervalMs: number };
  webhookSecret: string;
  /**
   * SLUICE_ROLLBACK_SECRET: what `sluice rollback` signs webhook bodies with (the operators' secret, not the Git
   * host's); unset or empty, the webhook takes no rollback.
   */
  rollbackSecret?: string;
  /** AWS endpoint overrides: only for local test servers. */
  endpoints?: { sqs?: string; s3?: string; kms?: string };
  strictSubstitution: boolean;
  allowRemoteBases: boolean;
  /** Flux's `--no-cross-namespace-refs` (SLUICE_NO_CROSS_NAMESPACE_REFS=true); off by default, as in Flux. */
  noCrossNamespaceRefs?: boolean;
  maxObjectsPerRender?: number;
  maxChildrenPerKustomization?: number;
  /** SLUICE_RESTRICT_SOURCE_ADDRESSES: refuse source URLs reaching non-public addresses (default true). */
  restrictSourceAddresses?: boolean;
  /** SLUICE_ALLOWED_SOURCE_HOSTS: comma-separated host names, CIDRs or origins of private Git servers. */
  allowedSourceHosts?: string[];
  /** The tool sandbox function the render function hands kustomize runs to (it never runs a tool itself). */
  renderSandboxFunction?: string;
  workDir: string;
}

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;

export function loadCloudConfig(env: NodeJS.ProcessEnv = process.env): CloudConfig {
  const problems: string[] = [];
  const need = (name: string, hint: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set (${hint})`);
    return value ?? '';
  };
  const clusters = need('SLUICE_CLUSTERS', 'comma-separated cluster names')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of clusters)
    if (!CLUSTER_NAME.test(c)) problems.push(`SLUICE_CLUSTERS: ${JSON.stringify(c)} is not a DNS-1123 label`);
  const clusterRoots = clusterRootsOf(env.SLUICE_CLUSTER_ROOTS, clusters, problems);
  const signingKeyArn = need('SLUICE_SIGNING_KEY_ARN', 'ARN of the ECC_NIST_P256 signing key');
  if (signingKeyArn && !KMS_ARN.test(signingKeyArn))
    problems.push(`SLUICE_SIGNING_KEY_ARN: ${JSON.stringify(signingKeyArn)} is not a KMS key or alias ARN`);
  const dataKeyArn = need('SLUICE_DATA_KEY_ARN', 'ARN of the symmetric key that wraps per-cluster data keys');
  if (dataKeyArn && !KMS_ARN.test(dataKeyArn))
    problems.push(`SLUICE_DATA_KEY_ARN: ${JSON.stringify(dataKeyArn)} is not a KMS key or alias ARN`);
  const fleetUrl = need('SLUICE_FLEET_URL', 'https:// URL of the fleet repository');
  if (fleetUrl && !/^https?:\/\//.test(fleetUrl)) problems.push('SLUICE_FLEET_URL must be an http(s):// URL');
  // The same value for both would let the Git host roll back clusters again.
  if (env.SLUICE_ROLLBACK_SECRET && env.SLUICE_ROLLBACK_SECRET === env.SLUICE_WEBHOOK_SECRET)
    problems.push(
      'SLUICE_ROLLBACK_SECRET must differ from SLUICE_WEBHOOK_SECRET (the Git host holds that one): set RollbackSecret to its own value',
    );
  const positive = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1)
      problems.push(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
    return n;
  };
  const flag = (name: string): boolean => {
    const text = env[name];
    if (text !== undefined && text !== '' && text !== 'true' && text !== 'false')
      problems.push(`${name} must be true or false, got ${JSON.stringify(text)}`);
    return text === 'true';
  };
  const config: CloudConfig = {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? need('AWS_REGION', 'set by Lambda'),
    bucket: need('SLUICE_BUCKET', 'artifact bucket name'),
    queuePrefix: env.SLUICE_QUEUE_PREFIX ?? 'sluice',
    signingKeyArn,
    dataKeyArn,
    clusters,
    ...(clusterRoots && { clusterRoots }),
    fleet: {
      url: fleetUrl,
      branch: env.SLUICE_FLEET_BRANCH ?? 'main',
      intervalMs: Number(env.SLUICE_FLEET_INTERVAL_MS ?? 60_000),
    },
    webhookSecret: need('SLUICE_WEBHOOK_SECRET', 'HMAC secret shared with the Git host'),
    ...(env.SLUICE_ROLLBACK_SECRET && { rollbackSecret: env.SLUICE_ROLLBACK_SECRET }),
    ...((env.SLUICE_SQS_ENDPOINT || env.SLUICE_S3_ENDPOINT || env.SLUICE_KMS_ENDPOINT) && {
      endpoints: {
        ...(env.SLUICE_SQS_ENDPOINT && { sqs: env.SLUICE_SQS_ENDPOINT }),
        ...(env.SLUICE_S3_ENDPOINT && { s3: env.SLUICE_S3_ENDPOINT }),
        ...(env.SLUICE_KMS_ENDPOINT && { kms: env.SLUICE_KMS_ENDPOINT }),
      },
    }),
    strictSubstitution: env.SLUICE_STRICT_SUBSTITUTION !== 'false',
    allowRemoteBases: env.SLUICE_ALLOW_REMOTE_BASES === 'true',
    noCrossNamespaceRefs: flag('SLUICE_NO_CROSS_NAMESPACE_REFS'),
    maxObjectsPerRender: positive('SLUICE_MAX_OBJECTS_PER_RENDER', DEFAULT_RENDER_LIMITS.maxObjectsPerRender),
    maxChildrenPerKustomization: positive(
      'SLUICE_MAX_CHILDREN_PER_KUSTOMIZATION',
      DEFAULT_RENDER_LIMITS.maxChildrenPerKustomization,
    ),
    restrictSourceAddresses: env.SLUICE_RESTRICT_SOURCE_ADDRESSES
      ? flag('SLUICE_RESTRICT_SOURCE_ADDRESSES')
      : true,
    allowedSourceHosts: allowedSourceHosts(env.SLUICE_ALLOWED_SOURCE_HOSTS, problems),
    ...(env.SLUICE_RENDER_SANDBOX_FUNCTION && { renderSandboxFunction: env.SLUICE_RENDER_SANDBOX_FUNCTION }),
    workDir: env.SLUICE_WORK_DIR ?? '/tmp/sluice',
  };
  if (problems.length > 0) {
    throw new SluiceError('ConfigInvalid', `invalid Sluice function configuration: ${problems.join('; ')}`);
  }
  return config;
}

function allowedSourceHosts(text: string | undefined, problems: string[]): string[] {
  const entries = (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const problem of parseAllowList(entries).problems)
    problems.push(`SLUICE_ALLOWED_SOURCE_HOSTS: ${problem}`);
  return entries;
}

/** The stacks write sluice.config.ts's clusters[].fleet here as JSON, keyed by cluster name. */
function clusterRootsOf(
  text: string | undefined,
  clusters: string[],
  problems: string[],
): Record<string, ClusterRootSettings> | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push('SLUICE_CLUSTER_ROOTS must be JSON: {"<cluster>": {"path": "...", "branch": "..."}}');
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push('SLUICE_CLUSTER_ROOTS must be a JSON object keyed by cluster name');
    return undefined;
  }
  const roots = parsed as Record<string, ClusterRootSettings>;
  for (const [cluster, settings] of Object.entries(roots)) {
    if (!clusters.includes(cluster))
      problems.push(`SLUICE_CLUSTER_ROOTS: ${JSON.stringify(cluster)} is not one of SLUICE_CLUSTERS`);
    problems.push(...clusterRootProblems(`SLUICE_CLUSTER_ROOTS.${cluster}`, settings));
  }
  return roots;
}
