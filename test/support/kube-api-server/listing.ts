// LIST responses: selector filtering, limit/continue pagination, and typed-list item shapes (built-in list
// items carry no apiVersion/kind, custom resource list items do).

import type { ServerContext } from './context.ts';
import { type ApiResponse, selectors } from './request.ts';
import { apiVersionOf, type ResourceType, servedAs } from './resources.ts';
import { ApiError } from './status.ts';
import type { KubeObject } from './types.ts';

function continueToken(obj: KubeObject): string {
  return Buffer.from(JSON.stringify([obj.metadata.namespace ?? '', obj.metadata.name ?? ''])).toString(
    'base64url',
  );
}

export function list(
  ctx: ServerContext,
  type: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): ApiResponse {
  let items = ctx.store.list(type, namespace).filter(selectors(query));
  const token = query.get('continue');
  if (token) {
    let after: [string, string];
    try {
      after = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [string, string];
    } catch {
      throw new ApiError(400, 'continue key is not valid: illegal base64 data', 'BadRequest');
    }
    const afterKey = `${after[0]}\u0000${after[1]}`;
    items = items.filter((o) => `${o.metadata.namespace ?? ''}\u0000${o.metadata.name ?? ''}` > afterKey);
  }
  const metadata: Record<string, unknown> = { resourceVersion: ctx.store.resourceVersion };
  const limit = Number(query.get('limit') ?? 0);
  if (limit > 0 && items.length > limit) {
    metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1];
    if (last) metadata.continue = continueToken(last);
  }
  // Typed (built-in) lists omit apiVersion/kind on their items, as the real server does.
  const shown = items.map((o) => {
    const v = servedAs(type, o);
    if (type.crd) return v;
    const { apiVersion: _a, kind: _k, ...rest } = v;
    return rest;
  });
  return { code: 200, body: { apiVersion: apiVersionOf(type), kind: type.listKind, metadata, items: shown } };
}
