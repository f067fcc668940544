// Entry point for resource URLs: resolves the target to a served type, dispatches by HTTP method to the
// listing/mutation/deletion modules, and recognises watch requests.

import type { ServerContext } from './context.ts';
import { deleteCollection, deleteOne } from './deletion.ts';
import { list } from './listing.ts';
import { create, patch, replace } from './mutations.ts';
import { type ApiRequest, type ApiResponse, methodNotAllowed, pathNotFound, selectors } from './request.ts';
import { type ResourceType, servedAs } from './resources.ts';
import type { ResourceTarget } from './routing.ts';
import { notFound } from './status.ts';
import type { WatchRequest } from './watch.ts';

function resolveType(ctx: ServerContext, target: ResourceTarget): ResourceType {
  const type = ctx.registry.find(target.group, target.version, target.plural);
  if (!type || (target.namespace !== undefined && !type.namespaced)) throw pathNotFound();
  if (target.subresource !== undefined && !(target.subresource === 'status' && type.statusSubresource)) {
    throw pathNotFound();
  }
  return type;
}

/** Parameters of a `?watch=true` GET, or undefined when the request is not a watch. */
export function watchRequest(ctx: ServerContext, req: ApiRequest): WatchRequest | undefined {
  const watch = req.query.get('watch');
  if (req.method !== 'GET' || (watch !== 'true' && watch !== '1')) return undefined;
  const type = resolveType(ctx, req.target);
  if (req.target.name !== undefined) throw methodNotAllowed('WATCH on a named object; use fieldSelector');
  const timeout = req.query.get('timeoutSeconds');
  return {
    type,
    namespace: req.target.namespace,
    matches: selectors(req.query),
    resourceVersion: req.query.get('resourceVersion'),
    timeoutSeconds: timeout ? Number(timeout) : undefined,
  };
}

export function serveResource(ctx: ServerContext, req: ApiRequest): ApiResponse {
  const type = resolveType(ctx, req.target);
  const { name, namespace } = req.target;
  const ns = namespace ?? '';
  if (type.namespaced && namespace === undefined && !(req.method === 'GET' && name === undefined)) {
    throw pathNotFound();
  }
  switch (req.method) {
    case 'GET': {
      if (name === undefined) return list(ctx, type, namespace, req.query);
      const obj = ctx.store.get(type, ns, name);
      if (!obj) throw notFound(type, name);
      return { code: 200, body: servedAs(type, obj) };
    }
    case 'POST':
      if (name !== undefined) throw methodNotAllowed('POST');
      return create(ctx, type, ns, req);
    case 'PUT':
      if (name === undefined) throw methodNotAllowed('PUT');
      return replace(ctx, type, ns, name, req);
    case 'PATCH':
      if (name === undefined) throw methodNotAllowed('PATCH');
      return patch(ctx, type, ns, name, req);
    case 'DELETE':
      if (req.target.subresource) throw methodNotAllowed('DELETE');
      return name === undefined ? deleteCollection(ctx, type, ns, req) : deleteOne(ctx, type, ns, name, req);
    default:
      throw methodNotAllowed(req.method);
  }
}
