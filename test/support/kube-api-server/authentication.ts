// Who a request is: the bearer token names a user (the admin's token, or one of the configured users), then
// Impersonate-User / Impersonate-Group headers switch to another identity when the caller may impersonate it.

import type { IncomingMessage } from 'node:http';
import { type Authorizer, forbidden } from './authorization.ts';
import { SUPERUSER_GROUP, serviceAccountGroups, serviceAccountOf, type UserInfo } from './rbac.ts';
import { ApiError, badRequest } from './status.ts';

export interface KubeUser {
  name: string;
  groups?: string[];
}

/** kubeadm's admin.conf identity: the stand-in's default caller, which authorization never stops. */
export const ADMIN: UserInfo = {
  name: 'kubernetes-admin',
  groups: [SUPERUSER_GROUP, 'system:authenticated'],
};

export interface Identity {
  user: UserInfo;
  /** The request asked to act as another user (and was allowed to). */
  impersonated: boolean;
}

export interface AuthenticationOptions {
  /** The admin's bearer token; when set, a request without a known token is refused (401). */
  adminToken?: string;
  /** Further users by bearer token. */
  users: Record<string, KubeUser>;
}

class Unauthorized extends ApiError {
  constructor() {
    super(401, 'Unauthorized', 'Unauthorized');
  }
}

/** The caller's identity, or a 401/403 ApiError. Without an admin token, a request no user's token names is the admin. */
export function identify(req: IncomingMessage, opts: AuthenticationOptions, authorize: Authorizer): Identity {
  const caller = authenticate(req.headers.authorization, opts);
  const headers = req.headersDistinct ?? distinct(req.rawHeaders);
  const user = headers['impersonate-user'] ?? [];
  const groups = headers['impersonate-group'] ?? [];
  const other = Object.keys(headers).filter(
    (h) => h === 'impersonate-uid' || h.startsWith('impersonate-extra-'),
  );
  if (user.length === 0 && groups.length === 0 && other.length === 0)
    return { user: caller, impersonated: false };
  if (other.length > 0) throw badRequest(`the stand-in does not model ${other.join(', ')}`);
  const [name, ...more] = user;
  if (name === undefined || name === '' || more.length > 0) {
    // As the real server: groups without a user is a malformed request, answered as an internal error.
    throw new ApiError(
      500,
      `Internal error occurred: requested groups [${groups.join(' ')}] without impersonating a user`,
    );
  }
  const sa = serviceAccountOf(name);
  const target = sa
    ? { resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name }
    : { resource: 'users', namespace: '', name };
  mayImpersonate(authorize, caller, target);
  for (const group of groups)
    mayImpersonate(authorize, caller, { resource: 'groups', namespace: '', name: group });
  const effective = groups.length > 0 ? [...groups] : sa ? serviceAccountGroups(sa.namespace) : [];
  if (!effective.includes('system:authenticated')) effective.push('system:authenticated');
  return { user: { name, groups: effective }, impersonated: true };
}

function authenticate(header: string | undefined, opts: AuthenticationOptions): UserInfo {
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
  const user = token === undefined ? undefined : opts.users[token];
  if (user) {
    const groups = user.groups ?? [];
    const authenticated = groups.includes('system:authenticated')
      ? groups
      : [...groups, 'system:authenticated'];
    return { name: user.name, groups: authenticated };
  }
  if (opts.adminToken === undefined || token === opts.adminToken) return ADMIN;
  throw new Unauthorized();
}

function mayImpersonate(
  authorize: Authorizer,
  caller: UserInfo,
  target: { resource: string; namespace: string; name: string },
): void {
  const attrs = { verb: 'impersonate', apiGroup: '', ...target };
  if (!authorize(caller, attrs)) throw forbidden(caller, attrs);
}

/** Each header's values, repeats kept apart: HTTP/2's compatibility request has no headersDistinct. */
function distinct(raw: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]?.toLowerCase() ?? '';
    if (name.startsWith(':')) continue;
    out[name] = [...(out[name] ?? []), raw[i + 1] ?? ''];
  }
  return out;
}
