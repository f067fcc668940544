// Authorization of resource requests: the request's verb and attributes (as kube-apiserver derives them from
// the method and URL), the RBAC decision over the Roles and bindings in the store, and the 403 it answers.

import type { ServerContext } from './context.ts';
import { isAllowed, type RbacPolicy, type RequestAttributes, type UserInfo } from './rbac.ts';
import type { ResourceTarget } from './routing.ts';
import { ApiError, type StatusDetails } from './status.ts';
import type { KubeObject } from './types.ts';

export type Authorizer = (user: UserInfo, attrs: RequestAttributes) => boolean;

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Decides against the RBAC objects stored at the time of the request. */
export function rbacAuthorizer(ctx: ServerContext): Authorizer {
  return (user, attrs) => isAllowed(policyOf(ctx), user, attrs);
}

function policyOf(ctx: ServerContext): RbacPolicy {
  const stored = (plural: string): KubeObject[] => {
    const type = ctx.registry.find(RBAC_GROUP, 'v1', plural);
    return type ? ctx.store.list(type) : [];
  };
  return {
    clusterRoles: stored('clusterroles'),
    roles: stored('roles'),
    clusterRoleBindings: stored('clusterrolebindings'),
    roleBindings: stored('rolebindings'),
  };
}

/** The verb of a resource request: GET is get, list or watch; DELETE of a collection is deletecollection. */
export function verbOf(method: string, target: ResourceTarget, query: URLSearchParams): string {
  const named = target.name !== undefined;
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const watch = query.get('watch');
      if (watch === 'true' || watch === '1') return 'watch';
      return named ? 'get' : 'list';
    }
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export function attributesOf(verb: string, target: ResourceTarget): RequestAttributes {
  return {
    verb,
    apiGroup: target.group,
    resource: target.plural,
    ...(target.subresource !== undefined && { subresource: target.subresource }),
    namespace: target.namespace ?? '',
    name: target.name ?? '',
  };
}

/**
 * 403 as kube-apiserver writes it (responsewriters.Forbidden + errors.NewForbidden): `<resource>[.<group>]
 * "<name>" is forbidden: User "<user>" cannot <verb> resource "<resource>" in API group "<group>" in the
 * namespace "<ns>"` (or `at the cluster scope`); details carry the name, the group and the resource as kind.
 */
export function forbidden(user: UserInfo, attrs: RequestAttributes): ApiError {
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const where = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  const reason = `User "${user.name}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${where}`;
  const qualified = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  const message = attrs.name
    ? `${qualified} "${attrs.name}" is forbidden: ${reason}`
    : `${qualified} is forbidden: ${reason}`;
  const details: StatusDetails = {
    ...(attrs.name && { name: attrs.name }),
    ...(attrs.apiGroup && { group: attrs.apiGroup }),
    kind: attrs.resource,
  };
  return new ApiError(403, message, 'Forbidden', details);
}
