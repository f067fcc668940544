// The deployment's settings: the fleet repository and the clusters. Checked by stacks/config.ts at
// deploy time. Edit this file, then `npx sst deploy --stage prod`.
import type { SluiceStackConfig } from './stacks/config.ts';

export const sluiceConfig: SluiceStackConfig = {
  fleet: { url: 'https://github.com/example-org/fleet.git', branch: 'main', intervalMinutes: 1 },
  clusters: [{ name: 'dev', puller: { identity: 'eks-pod-identity', eksClusterName: 'dev' } }],
  sopsKeyArns: [],
  // ECR repositories (ARNs; a trailing /* for a prefix) that OCI sources with `provider: aws` pull from.
  // ecrRepositories: ['arn:aws:ecr:eu-west-1:123456789012:repository/charts/*'],
  retentionDays: 30,
};
