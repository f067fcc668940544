// The deployment's settings: the fleet repository and the clusters. Checked by stacks/config.ts at
// deploy time. Edit this file, then `npx sst deploy --stage prod`.
import type { SluiceStackConfig } from './stacks/config.ts';

export const sluiceConfig: SluiceStackConfig = {
  fleet: { url: 'https://github.com/example-org/fleet.git', branch: 'main', intervalMinutes: 1 },
  clusters: [
    {
      name: 'dev',
      puller: { identity: 'eks-pod-identity', eksClusterName: 'dev' },
      // Where the cluster starts in the fleet, when not clusters/<name> (flux bootstrap --path); a
      // gotk-sync.yaml or FluxInstance there is read. Also: branch, root: { name, namespace }, and
      // variables (postBuild.substitute of the root) for clusters sharing one path.
      // fleet: { path: 'kubernetes/clusters/dev', variables: { CLUSTER_ENV: 'dev' } },
    },
  ],
  sopsKeyArns: [],
  // ECR repositories (ARNs; a trailing /* for a prefix) that OCI sources with `provider: aws` pull from.
  // ecrRepositories: ['arn:aws:ecr:eu-west-1:123456789012:repository/charts/*'],
  retentionDays: 30,
};
