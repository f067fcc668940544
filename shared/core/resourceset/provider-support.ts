// Which ResourceSetInputProvider types Sluice can read from a fleet checkout, and the verdict `sluice check`
// gives a ResourceSet or a provider: Static inputs live in Git; every other type asks a service at runtime.

/** The operator's provider types that read an outside service (pull requests, branches, tags, registries…). */
export const DYNAMIC_PROVIDER_TYPES: readonly string[] = [
  'GitHubBranch',
  'GitHubTag',
  'GitHubPullRequest',
  'GitLabBranch',
  'GitLabTag',
  'GitLabMergeRequest',
  'GitLabEnvironment',
  'AzureDevOpsBranch',
  'AzureDevOpsPullRequest',
  'AzureDevOpsTag',
  'AWSCodeCommitBranch',
  'AWSCodeCommitTag',
  'AWSCodeCommitPullRequest',
  'GiteaBranch',
  'GiteaTag',
  'GiteaPullRequest',
  'OCIArtifactTag',
  'ACRArtifactTag',
  'ECRArtifactTag',
  'GARArtifactTag',
  'ExternalService',
  'ExternalArtifact',
];

export function isStaticProvider(type: string): boolean {
  return type === 'Static';
}

/** Why a provider type cannot be expanded here, or undefined for Static. */
export function unsupportedProviderReason(type: string): string | undefined {
  if (isStaticProvider(type)) return undefined;
  if (DYNAMIC_PROVIDER_TYPES.includes(type)) {
    return `input provider type ${type} is not supported by Sluice yet: its inputs come from a service at runtime, not from Git (use type Static, or inline spec.inputs)`;
  }
  return `input provider type ${JSON.stringify(type)} is unknown (the operator knows Static and ${DYNAMIC_PROVIDER_TYPES.join(', ')})`;
}

export type CheckVerdict = { verdict: 'delivered' | 'different' | 'unsupported' | 'error'; reason: string };

/**
 * The `sluice check` verdict of a ResourceSetInputProvider: Static is delivered (its defaultValues feed the
 * ResourceSets that select it); other types are unsupported, named.
 */
export function inputProviderVerdict(type: string): CheckVerdict {
  const reason = unsupportedProviderReason(type);
  return reason
    ? { verdict: 'unsupported', reason }
    : { verdict: 'delivered', reason: 'Static inputs are read from Git and expanded at render time' };
}
