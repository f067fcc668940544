// Who a target's API calls act as (Flux's multi-tenancy): its service account, or the puller's default one,
// impersonated in the target's own namespace; the puller's own identity only when neither is set.
import { isServiceAccountName } from '../../api/service-account-name.ts';
import { SluiceError } from '../../core/errors.ts';
import { type Target, targetKey } from '../../core/pipeline/target.ts';
import type { TargetContext } from './target-context.ts';

/**
 * `system:serviceaccount:<target namespace>:<name>`, or undefined: the puller acts as itself. A name that is
 * no ServiceAccount name (the decoder refuses those; a signed artifact of another version might not) is
 * refused rather than impersonated: `a:b` would name another user.
 */
export function tenantUser(
  target: Target,
  serviceAccountName: string | undefined,
  defaultServiceAccount: string | undefined,
): string | undefined {
  const name = serviceAccountName || defaultServiceAccount;
  if (name === undefined || name === '') return undefined;
  if (!isServiceAccountName(name))
    throw new SluiceError(
      'AccessDenied',
      `${targetKey(target)}: serviceAccountName ${JSON.stringify(name)} is no ServiceAccount name; nothing is applied`,
      { object: targetKey(target), field: 'spec.serviceAccountName' },
    );
  return `system:serviceaccount:${target.namespace}:${name}`;
}

/**
 * The target's context with every Kubernetes call made as its tenant. The puller's own records (the
 * inventory in its namespace) are written through the original context's deps, never through this one.
 */
export function asTenant(ctx: TargetContext, serviceAccountName: string | undefined): TargetContext {
  const user = tenantUser(ctx.target, serviceAccountName, ctx.deps.defaultServiceAccount);
  return user ? { ...ctx, deps: { ...ctx.deps, kube: ctx.deps.kube.as(user) } } : ctx;
}
