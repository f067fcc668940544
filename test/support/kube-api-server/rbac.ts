// RBAC evaluation as kube-apiserver's RBAC authorizer does it: a request is allowed when some binding whose
// subjects match the user names a role with a rule matching the verb, API group, resource and name.
// Pure over the policy objects; the server reads them from its store (see authorization.ts).

import { isMap } from './json.ts';
import type { KubeObject } from './types.ts';

/** Who is asking: the authenticated (or impersonated) user. */
export interface UserInfo {
  name: string;
  groups: string[];
}

/** What is asked, in the authorizer's terms (verb is a Kubernetes verb: get, list, create, patch, ...). */
export interface RequestAttributes {
  verb: string;
  /** '' for the core group. */
  apiGroup: string;
  /** Plural, e.g. `configmaps`. */
  resource: string;
  subresource?: string;
  /** '' for a cluster-scoped resource or a request across all namespaces. */
  namespace: string;
  /** '' for collection requests (list, create without a name, deletecollection). */
  name: string;
}

/** The rbac.authorization.k8s.io/v1 objects the decision reads. */
export interface RbacPolicy {
  clusterRoles: KubeObject[];
  roles: KubeObject[];
  clusterRoleBindings: KubeObject[];
  roleBindings: KubeObject[];
}

interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

/** Members of this group bypass authorization, as the real server's privileged group does. */
export const SUPERUSER_GROUP = 'system:masters';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** `system:serviceaccount:<ns>:<name>` → `{ namespace, name }`, or undefined for other user names. */
export function serviceAccountOf(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const [namespace, name, ...rest] = user.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  if (!namespace || !name || rest.length > 0) return undefined;
  return { namespace, name };
}

/** The groups every service account of `namespace` is in. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

export function isAllowed(policy: RbacPolicy, user: UserInfo, attrs: RequestAttributes): boolean {
  if (user.groups.includes(SUPERUSER_GROUP)) return true;
  const grants = (binding: KubeObject, bindingNamespace: string) => {
    if (!subjectsOf(binding).some((s) => appliesTo(s, user, bindingNamespace))) return false;
    const rules = rulesOf(roleOf(policy, binding, bindingNamespace));
    return rules.some((r) => ruleAllows(r, attrs));
  };
  if (policy.clusterRoleBindings.some((b) => grants(b, ''))) return true;
  if (attrs.namespace === '') return false;
  return policy.roleBindings.some(
    (b) => b.metadata.namespace === attrs.namespace && grants(b, attrs.namespace),
  );
}

function roleOf(policy: RbacPolicy, binding: KubeObject, namespace: string): KubeObject | undefined {
  const ref = isMap(binding.roleRef) ? binding.roleRef : {};
  if (ref.apiGroup !== 'rbac.authorization.k8s.io') return undefined;
  if (ref.kind === 'ClusterRole') return policy.clusterRoles.find((r) => r.metadata.name === ref.name);
  // A Role is looked up only in the binding's own namespace; a ClusterRoleBinding cannot name one.
  if (ref.kind === 'Role' && namespace !== '')
    return policy.roles.find((r) => r.metadata.namespace === namespace && r.metadata.name === ref.name);
  return undefined;
}

function rulesOf(role: KubeObject | undefined): PolicyRule[] {
  const rules = Array.isArray(role?.rules) ? role.rules.filter(isMap) : [];
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  return rules.map((r) => ({
    verbs: strings(r.verbs),
    apiGroups: strings(r.apiGroups),
    resources: strings(r.resources),
    resourceNames: strings(r.resourceNames),
  }));
}

function subjectsOf(binding: KubeObject): Subject[] {
  const subjects = Array.isArray(binding.subjects) ? binding.subjects.filter(isMap) : [];
  return subjects.map((s) => ({
    kind: String(s.kind ?? ''),
    name: String(s.name ?? ''),
    ...(typeof s.namespace === 'string' && { namespace: s.namespace }),
  }));
}

/** A ServiceAccount subject without a namespace means the binding's own namespace, as in the real server. */
function appliesTo(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== '' && user.name === `${SERVICE_ACCOUNT_PREFIX}${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

export function ruleAllows(rule: PolicyRule, attrs: RequestAttributes): boolean {
  return (
    matches(rule.verbs, attrs.verb) &&
    matches(rule.apiGroups, attrs.apiGroup) &&
    resourceMatches(rule.resources, attrs) &&
    (rule.resourceNames.length === 0 || rule.resourceNames.includes(attrs.name))
  );
}

function matches(values: string[], wanted: string): boolean {
  return values.includes('*') || values.includes(wanted);
}

/** `*` is every resource and subresource; `pods/log` names one subresource; `*` joined to a subresource, that one of any. */
function resourceMatches(resources: string[], attrs: RequestAttributes): boolean {
  if (resources.includes('*')) return true;
  if (!attrs.subresource) return resources.includes(attrs.resource);
  return (
    resources.includes(`${attrs.resource}/${attrs.subresource}`) ||
    resources.includes(`*/${attrs.subresource}`)
  );
}
