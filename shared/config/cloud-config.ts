// The one place the Lambda functions read their environment (set by the SST stacks), validated once per
// cold start; a missing or malformed setting fails with the variable's name and what is expected.
import { SluiceError } from '../core/errors.ts';

export interface CloudConfig {
  region: string;
  bucket: string;
  queuePrefix: string;
  signingKeyArn: string;
  clusters: string[];
  fleet: { url: string; branch: string; intervalMs: number };
  webhookSecret: string;
  /** AWS endpoint overrides: only for local test servers. */
  endpoints?: { sqs?: string; s3?: string; kms?: string };
  strictSubstitution: boolean;
  allowRemoteBases: boolean;
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
  const signingKeyArn = need('SLUICE_SIGNING_KEY_ARN', 'ARN of the ECC_NIST_P256 signing key');
  if (signingKeyArn && !KMS_ARN.test(signingKeyArn))
    problems.push(`SLUICE_SIGNING_KEY_ARN: ${JSON.stringify(signingKeyArn)} is not a KMS key or alias ARN`);
  const fleetUrl = need('SLUICE_FLEET_URL', 'https:// URL of the fleet repository');
  if (fleetUrl && !/^https?:\/\//.test(fleetUrl)) problems.push('SLUICE_FLEET_URL must be an http(s):// URL');
  const config: CloudConfig = {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? need('AWS_REGION', 'set by Lambda'),
    bucket: need('SLUICE_BUCKET', 'artifact bucket name'),
    queuePrefix: env.SLUICE_QUEUE_PREFIX ?? 'sluice',
    signingKeyArn,
    clusters,
    fleet: {
      url: fleetUrl,
      branch: env.SLUICE_FLEET_BRANCH ?? 'main',
      intervalMs: Number(env.SLUICE_FLEET_INTERVAL_MS ?? 60_000),
    },
    webhookSecret: need('SLUICE_WEBHOOK_SECRET', 'HMAC secret shared with the Git host'),
    ...((env.SLUICE_SQS_ENDPOINT || env.SLUICE_S3_ENDPOINT || env.SLUICE_KMS_ENDPOINT) && {
      endpoints: {
        ...(env.SLUICE_SQS_ENDPOINT && { sqs: env.SLUICE_SQS_ENDPOINT }),
        ...(env.SLUICE_S3_ENDPOINT && { s3: env.SLUICE_S3_ENDPOINT }),
        ...(env.SLUICE_KMS_ENDPOINT && { kms: env.SLUICE_KMS_ENDPOINT }),
      },
    }),
    strictSubstitution: env.SLUICE_STRICT_SUBSTITUTION !== 'false',
    allowRemoteBases: env.SLUICE_ALLOW_REMOTE_BASES === 'true',
    workDir: env.SLUICE_WORK_DIR ?? '/tmp/sluice',
  };
  if (problems.length > 0) {
    throw new SluiceError('ConfigInvalid', `invalid Sluice function configuration: ${problems.join('; ')}`);
  }
  return config;
}
