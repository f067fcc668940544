// The test API server's RBAC evaluator: which bindings and rules let a user do what, as kube-apiserver's RBAC
// authorizer decides (verbs, API groups, resources with `*` and subresources, resourceNames, namespaces,
// User/Group/ServiceAccount subjects, the privileged group).
import { describe, expect, it } from 'vitest';
import {
  isAllowed,
  type RbacPolicy,
  type RequestAttributes,
  serviceAccountOf,
  type UserInfo,
} from '../../support/kube-api-server/rbac.ts';
import type { KubeObject } from '../../support/kube-api-server/types.ts';

const RBAC = 'rbac.authorization.k8s.io/v1';
type Rule = { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames?: string[] };
type Subject = { kind: string; name: string; namespace?: string };

const role = (namespace: string, name: string, rules: Rule[]): KubeObject => ({
  apiVersion: RBAC,
  kind: 'Role',
  metadata: { name, namespace },
  rules,
});
const clusterRole = (name: string, rules: Rule[]): KubeObject => ({
  apiVersion: RBAC,
  kind: 'ClusterRole',
  metadata: { name },
  rules,
});
const binding = (
  namespace: string | undefined,
  kind: 'Role' | 'ClusterRole',
  name: string,
  subjects: Subject[],
) => ({
  apiVersion: RBAC,
  kind: namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
  metadata: { name: `${name}-binding`, ...(namespace !== undefined && { namespace }) },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
  subjects,
});

const DEPLOYER: UserInfo = {
  name: 'system:serviceaccount:team-a:deployer',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
};
const ALICE: UserInfo = { name: 'alice', groups: ['devs', 'system:authenticated'] };
const ROOT: UserInfo = { name: 'root', groups: ['system:masters'] };
const MALLORY: UserInfo = { name: 'mallory', groups: ['system:authenticated'] };

const policy: RbacPolicy = {
  clusterRoles: [
    clusterRole('edit-apps', [{ verbs: ['*'], apiGroups: ['', 'apps'], resources: ['*'] }]),
    clusterRole('read-nodes', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['nodes'] }]),
    clusterRole('status-writer', [{ verbs: ['patch'], apiGroups: ['apps'], resources: ['*/status'] }]),
  ],
  roles: [
    role('team-a', 'configs', [
      { verbs: ['get', 'list', 'create', 'patch', 'delete'], apiGroups: [''], resources: ['configmaps'] },
      { verbs: ['get', 'patch'], apiGroups: [''], resources: ['secrets'], resourceNames: ['app-env'] },
      { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] },
    ]),
    role('team-b', 'configs', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
  ],
  roleBindings: [
    // A ServiceAccount subject without a namespace is the binding's own.
    binding('team-a', 'Role', 'configs', [{ kind: 'ServiceAccount', name: 'deployer' }]),
    binding('team-a', 'ClusterRole', 'edit-apps', [{ kind: 'Group', name: 'devs' }]),
    // Binds team-b's Role, but to team-a's service accounts: grants only in team-b.
    binding('team-b', 'Role', 'configs', [{ kind: 'Group', name: 'system:serviceaccounts:team-a' }]),
    // A RoleBinding cannot reach a Role of another namespace: this one names team-b's, which it cannot see.
    binding('team-c', 'Role', 'configs', [{ kind: 'User', name: 'alice' }]),
  ],
  clusterRoleBindings: [
    binding(undefined, 'ClusterRole', 'read-nodes', [{ kind: 'User', name: 'alice' }]),
    binding(undefined, 'ClusterRole', 'status-writer', [
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' },
    ]),
    // A ClusterRoleBinding naming a Role grants nothing.
    binding(undefined, 'Role', 'configs', [{ kind: 'User', name: 'alice' }]),
  ],
};

const attrs = (
  verb: string,
  resource: string,
  namespace: string,
  name = '',
  extra: Partial<RequestAttributes> = {},
): RequestAttributes => ({ verb, apiGroup: '', resource, namespace, name, ...extra });

describe('the RBAC evaluator', () => {
  it.each([
    [
      'the deployer creates a ConfigMap in its namespace',
      DEPLOYER,
      attrs('create', 'configmaps', 'team-a'),
      true,
    ],
    [
      'the deployer patches one in its namespace',
      DEPLOYER,
      attrs('patch', 'configmaps', 'team-a', 'app'),
      true,
    ],
    [
      'the deployer may not update (only patch)',
      DEPLOYER,
      attrs('update', 'configmaps', 'team-a', 'app'),
      false,
    ],
    [
      'the deployer may not write ConfigMaps of team-c',
      DEPLOYER,
      attrs('patch', 'configmaps', 'team-c', 'x'),
      false,
    ],
    [
      'the deployer may not create a cluster-scoped ClusterRole',
      DEPLOYER,
      attrs('create', 'clusterroles', '', 'x', { apiGroup: 'rbac.authorization.k8s.io' }),
      false,
    ],
    [
      'the deployer reads the one Secret its rule names',
      DEPLOYER,
      attrs('get', 'secrets', 'team-a', 'app-env'),
      true,
    ],
    ['the deployer may not read another Secret', DEPLOYER, attrs('get', 'secrets', 'team-a', 'db'), false],
    ['a resourceNames rule never allows a list', DEPLOYER, attrs('list', 'secrets', 'team-a'), false],
    [
      'a subresource rule allows that subresource',
      DEPLOYER,
      attrs('get', 'deployments', 'team-a', 'web', { apiGroup: 'apps', subresource: 'scale' }),
      true,
    ],
    [
      'a subresource rule does not allow the resource',
      DEPLOYER,
      attrs('get', 'deployments', 'team-a', 'web', { apiGroup: 'apps' }),
      false,
    ],
    [
      '`*/status` allows any status subresource, anywhere',
      DEPLOYER,
      attrs('patch', 'statefulsets', 'team-z', 'db', { apiGroup: 'apps', subresource: 'status' }),
      true,
    ],
    [
      'a group subject grants through a Role of another namespace',
      DEPLOYER,
      attrs('delete', 'services', 'team-b', 'web'),
      true,
    ],
    [
      'a group bound to a ClusterRole in one namespace',
      ALICE,
      attrs('patch', 'deployments', 'team-a', 'web', { apiGroup: 'apps' }),
      true,
    ],
    [
      '… grants only there',
      ALICE,
      attrs('patch', 'deployments', 'team-b', 'web', { apiGroup: 'apps' }),
      false,
    ],
    [
      '… and only its API groups',
      ALICE,
      attrs('get', 'widgets', 'team-a', 'w', { apiGroup: 'example.com' }),
      false,
    ],
    ['a ClusterRoleBinding grants cluster-scoped reads', ALICE, attrs('list', 'nodes', ''), true],
    [
      'a RoleBinding never reaches a Role of another namespace',
      ALICE,
      attrs('get', 'configmaps', 'team-c', 'x'),
      false,
    ],
    [
      'a ClusterRoleBinding naming a Role grants nothing',
      ALICE,
      attrs('get', 'configmaps', 'team-b', 'x'),
      false,
    ],
    ['system:masters passes everything', ROOT, attrs('escalate', 'clusterroles', '', 'x'), true],
    ['a user with no bindings may do nothing', MALLORY, attrs('get', 'configmaps', 'team-a', 'x'), false],
  ] as const)('%s', (_what, user, request, allowed) => {
    expect(isAllowed(policy, user, request)).toBe(allowed);
  });

  it.each([
    ['system:serviceaccount:team-a:deployer', { namespace: 'team-a', name: 'deployer' }],
    ['system:serviceaccount:team-a', undefined],
    ['system:serviceaccount:team-a:deployer:extra', undefined],
    ['alice', undefined],
  ])('reads the service account of %s', (user, expected) => {
    expect(serviceAccountOf(user)).toEqual(expected);
  });
});
