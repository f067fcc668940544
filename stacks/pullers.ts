// One IAM role per cluster for its puller (EKS Pod Identity or IRSA), allowed to read only that
// cluster's index and artifacts and its own queue (policies.ts), and to report on its own reports queue.
import type { Input } from '@pulumi/pulumi';
import type { ClusterConfig } from './config.ts';
import type { Infra } from './infra.ts';
import { type PolicyArns, pullerPolicy } from './policies.ts';
import { pascal } from './queues.ts';

export function pullers(infra: Infra, opts: { clusters: ClusterConfig[]; arns: Input<PolicyArns> }) {
  const { aws, pulumi } = infra;
  const roles: Record<string, InstanceType<typeof aws.iam.Role>> = {};
  for (const cluster of opts.clusters) {
    const namespace = cluster.puller.namespace ?? 'sluice-system';
    const serviceAccount = cluster.puller.serviceAccount ?? 'sluice-puller';
    const trust =
      cluster.puller.identity === 'eks-pod-identity'
        ? {
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          }
        : {
            Effect: 'Allow',
            Principal: { Federated: cluster.puller.oidcProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                [`${cluster.puller.oidcProviderArn.split('oidc-provider/')[1]}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
              },
            },
          };
    const id = `Puller${pascal(cluster.name)}`;
    const role = new aws.iam.Role(`${id}Role`, {
      name: `sluice-${infra.stage}-puller-${cluster.name}`,
      assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [trust] }),
    });
    new aws.iam.RolePolicy(`${id}Policy`, {
      role: role.id,
      policy: pulumi
        .output(opts.arns)
        .apply((arns) => JSON.stringify(pullerPolicy(arns as PolicyArns, cluster.name))),
    });
    if (cluster.puller.identity === 'eks-pod-identity') {
      new aws.eks.PodIdentityAssociation(`${id}Identity`, {
        clusterName: cluster.puller.eksClusterName,
        namespace,
        serviceAccount,
        roleArn: role.arn,
      });
    }
    roles[cluster.name] = role;
  }
  return roles;
}
