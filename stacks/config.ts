// The one typed configuration of a Sluice deployment (sluice.config.ts), validated at deploy time: every
// mistake is reported with the setting's name and the fix before a single resource is created.
import { type ClusterRootSettings, clusterRootProblems } from '../shared/core/fleet/cluster-root.ts';

export interface ClusterConfig {
  /** DNS-1123 label; also the name of clusters/<name>/ in the fleet repository. */
  name: string;
  /** How the in-cluster puller gets its role. */
  puller:
    | { identity: 'eks-pod-identity'; eksClusterName: string; namespace?: string; serviceAccount?: string }
    | { identity: 'irsa'; oidcProviderArn: string; namespace?: string; serviceAccount?: string };
  /**
   * Where the cluster starts in the fleet: `path` (flux bootstrap --path, default `clusters/<name>`),
   * `branch` (default fleet.branch), `root` names (default flux-system/flux-system) and `variables`
   * (postBuild.substitute of the root, so clusters can share one path).
   */
  fleet?: ClusterRootSettings;
}

export interface SluiceStackConfig {
  fleet: { url: string; branch?: string; intervalMinutes?: number };
  clusters: ClusterConfig[];
  /** Customer KMS keys that encrypt the fleet's SOPS files; the render function gets Decrypt grants. */
  sopsKeyArns?: string[];
  /**
   * ECR repositories OCI sources with `provider: aws` pull from, as ARNs; a trailing `/*` covers every
   * repository under a prefix. Grants the fetch function pull access to these and ECR logins. Default none.
   */
  ecrRepositories?: string[];
  /**
   * S3 buckets that `Bucket` sources with `provider: aws` read, by name: the fetch function may list them
   * and read their objects. Default none (such a source then fails with AccessDenied, naming the bucket).
   */
  sourceBuckets?: string[];
  /** Days to keep artifacts and snapshots that are no longer current (S3 noncurrent versions). */
  retentionDays?: number;
  /** Alarm notifications (dead-letter queues not empty) go to this email, when set. */
  alarmEmail?: string;
  /** Hardening and limits; each is optional and defaults to the safe choice. */
  security?: SecuritySettings;
}

export interface SecuritySettings {
  /** Flux's `--no-cross-namespace-refs`: a Kustomization may reference only its own namespace. */
  noCrossNamespaceRefs?: boolean;
  /** Private Git hosts sources (and remote bases) may reach: host names, CIDRs or origins. Default none. */
  allowedSourceHosts?: string[];
  /** Let kustomize fetch remote bases (https to public hosts only). Default false, as everything vendored. */
  allowRemoteBases?: boolean;
  maxObjectsPerRender?: number;
  maxChildrenPerKustomization?: number;
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const OIDC_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/;
/** One ECR name component (lower case, separators inside); a repository name is components joined by '/'. */
const ECR_PART = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
/** One region and account; a `*` only as the whole last path segment (`repository/charts/*`), nowhere else. */
const ECR_REPOSITORY_ARN = new RegExp(
  `^arn:aws(?:-[a-z]+)*:ecr:[a-z]{2}(?:-[a-z]+)+-\\d+:\\d{12}:repository/(?:${ECR_PART}/)*(?:${ECR_PART}|\\*)$`,
);

export class StackConfigError extends Error {
  constructor(problems: string[]) {
    super(`sluice.config.ts is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'StackConfigError';
  }
}

export function validateStackConfig(
  config: SluiceStackConfig,
): Required<Omit<SluiceStackConfig, 'alarmEmail'>> & Pick<SluiceStackConfig, 'alarmEmail'> {
  const problems: string[] = [];
  if (!config.fleet?.url)
    problems.push('fleet.url is missing: set it to the https:// clone URL of the fleet repository');
  else if (!/^https:\/\/[^\s]+$/.test(config.fleet.url))
    problems.push(`fleet.url ${JSON.stringify(config.fleet.url)} must be an https:// URL`);
  if (!config.clusters?.length)
    problems.push('clusters is empty: declare at least one cluster ({ name, puller })');
  const seen = new Set<string>();
  config.clusters?.forEach((c, i) => {
    if (!LABEL.test(c.name ?? ''))
      problems.push(`clusters[${i}].name ${JSON.stringify(c.name)} must be a DNS-1123 label (a-z, 0-9, '-')`);
    if (seen.has(c.name)) problems.push(`clusters[${i}].name ${JSON.stringify(c.name)} is declared twice`);
    // A cluster's queues are named after it; "<x>-dlq" would be another cluster's dead-letter queue.
    if (c.name?.endsWith('-dlq'))
      problems.push(
        `clusters[${i}].name ${JSON.stringify(c.name)} must not end in -dlq (queue names use it)`,
      );
    seen.add(c.name);
    problems.push(...clusterRootProblems(`clusters[${i}].fleet`, c.fleet));
    if (c.puller?.identity === 'eks-pod-identity' && !c.puller.eksClusterName) {
      problems.push(
        `clusters[${i}].puller.eksClusterName is missing: the EKS cluster the Pod Identity association is made in`,
      );
    } else if (c.puller?.identity === 'irsa' && !OIDC_ARN.test(c.puller.oidcProviderArn ?? '')) {
      problems.push(
        `clusters[${i}].puller.oidcProviderArn must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/...)`,
      );
    } else if (c.puller?.identity !== 'eks-pod-identity' && c.puller?.identity !== 'irsa') {
      problems.push(`clusters[${i}].puller.identity must be "eks-pod-identity" or "irsa"`);
    }
  });
  config.sopsKeyArns?.forEach((arn, i) => {
    if (!KMS_KEY_ARN.test(arn))
      problems.push(
        `sopsKeyArns[${i}] ${JSON.stringify(arn)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<uuid>)`,
      );
  });
  problems.push(...ecrRepositoryProblems(config.ecrRepositories ?? []));
  problems.push(...sourceBucketProblems(config.sourceBuckets ?? []));
  const sec = config.security ?? {};
  for (const key of ['maxObjectsPerRender', 'maxChildrenPerKustomization'] as const) {
    const n = sec[key];
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 1))
      problems.push(`security.${key} must be a whole number, at least 1`);
  }
  sec.allowedSourceHosts?.forEach((h, i) => {
    if (typeof h !== 'string' || h.trim() === '' || /[\s,]/.test(h))
      problems.push(
        `security.allowedSourceHosts[${i}] must be one host name, CIDR or origin without spaces or commas`,
      );
  });
  const interval = config.fleet?.intervalMinutes ?? 1;
  if (!(interval >= 1)) problems.push('fleet.intervalMinutes must be at least 1');
  const retention = config.retentionDays ?? 30;
  if (!Number.isInteger(retention) || retention < 1)
    problems.push('retentionDays must be a whole number of days, at least 1');
  if (problems.length > 0) throw new StackConfigError(problems);
  return {
    fleet: { url: config.fleet.url, branch: config.fleet.branch ?? 'main', intervalMinutes: interval },
    clusters: config.clusters,
    sopsKeyArns: config.sopsKeyArns ?? [],
    ecrRepositories: config.ecrRepositories ?? [],
    sourceBuckets: config.sourceBuckets ?? [],
    retentionDays: retention,
    security: sec,
    ...(config.alarmEmail && { alarmEmail: config.alarmEmail }),
  };
}

/** S3 bucket names as AWS allows them (3–63 of a-z, 0-9, `.`, `-`), each once: the grant names them exactly. */
function sourceBucketProblems(names: string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const at = `sourceBuckets[${i}] ${JSON.stringify(name)}`;
    if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name))
      problems.push(
        `${at} is not an S3 bucket name: 3-63 lowercase letters, digits, "." and "-" (the name, not an ARN)`,
      );
    else if (seen.has(name)) problems.push(`${at} is declared twice`);
    seen.add(name);
  });
  return problems;
}

/** The fetch function's IAM grants name these ARNs as they are, so each must be one the policy can scope. */
function ecrRepositoryProblems(arns: string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  arns.forEach((arn, i) => {
    const at = `ecrRepositories[${i}] ${JSON.stringify(arn)}`;
    if (typeof arn !== 'string' || !ECR_REPOSITORY_ARN.test(arn))
      problems.push(
        `${at} is not an ECR repository ARN: write arn:aws:ecr:<region>:<account>:repository/<name>, or end it in /* for every repository under a prefix (repository/charts/*); the region and account are written out and * appears nowhere else`,
      );
    else if (seen.has(arn)) problems.push(`${at} is declared twice`);
    seen.add(arn);
  });
  return problems;
}
