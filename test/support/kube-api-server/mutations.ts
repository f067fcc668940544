// Writes on resource URLs: POST create, PUT replace, and PATCH in its four content types (server-side
// apply, JSON merge, strategic merge treated as merge, JSON patch), all ending in commitWrite.

import { serverSideApply } from './apply.ts';
import { type ServerContext, scopeFor } from './context.ts';
import { decodeObject, generateName } from './decoding.ts';
import { decodeBody } from './http-io.ts';
import { deepEqual } from './json.ts';
import { readOwnership, recordUpdate } from './managed-fields.ts';
import { jsonPatch, mergePatch } from './patches.ts';
import { type ApiRequest, type ApiResponse, fieldManager, isDryRun } from './request.ts';
import { type ResourceType, servedAs } from './resources.ts';
import { ApiError, alreadyExists, badRequest, notFound } from './status.ts';
import type { KubeObject } from './types.ts';
import { commitWrite } from './writes.ts';

const APPLY = 'application/apply-patch+yaml';
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
export function create(ctx: ServerContext, type: ResourceType, ns: string, req: ApiRequest): ApiResponse {
  const obj = decodeObject(decodeBody(req.body, req.contentType), type, {
    namespace: ns,
    requireTypeMeta: false,
  });
  let name = obj.metadata.name ?? '';
  if (!name && obj.metadata.generateName) name = generateName(obj.metadata.generateName);
  if (name && ctx.store.get(type, ns, name)) throw alreadyExists(type, name);
  const manager = fieldManager(req.query) ?? req.defaultManager;
  const scope = scopeFor(type, undefined);
  const { object } = commitWrite(ctx, {
    type,
    namespace: ns,
    name,
    live: undefined,
    candidate: obj,
    ownership: (result) => recordUpdate([], undefined, result, manager, scope, undefined),
    dryRun: isDryRun(req.query),
  });
  return { code: 201, body: servedAs(type, object) };
}

export function replace(
  ctx: ServerContext,
  type: ResourceType,
  ns: string,
  name: string,
  req: ApiRequest,
): ApiResponse {
  const sub = req.target.subresource;
  const obj = decodeObject(decodeBody(req.body, req.contentType), type, {
    name,
    namespace: ns,
    requireTypeMeta: false,
  });
  const live = ctx.store.get(type, ns, name);
  if (!live) throw notFound(type, name);
  const manager = fieldManager(req.query) ?? req.defaultManager;
  const base = readOwnership(Array.isArray(obj.metadata.managedFields) ? obj : live);
  const { object } = commitWrite(ctx, {
    type,
    namespace: ns,
    name,
    live,
    candidate: obj,
    ownership: (result) => recordUpdate(base, live, result, manager, scopeFor(type, sub), sub),
    subresource: sub,
    dryRun: isDryRun(req.query),
    requireResourceVersion: type.crd !== undefined,
  });
  return { code: 200, body: servedAs(type, object) };
}

export function patch(
  ctx: ServerContext,
  type: ResourceType,
  ns: string,
  name: string,
  req: ApiRequest,
): ApiResponse {
  const sub = req.target.subresource;
  const scope = scopeFor(type, sub);
  const stored = ctx.store.get(type, ns, name);
  const live = stored && servedAs(type, stored);
  const dryRun = isDryRun(req.query);
  const manager = fieldManager(req.query);

  if (req.contentType === APPLY) {
    if (!manager) throw badRequest('fieldManager is required for apply requests');
    const applied = decodeObject(decodeBody(req.body, 'yaml'), type, {
      name,
      namespace: ns,
      requireTypeMeta: true,
    });
    if (applied.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
    if (!live && sub === 'status') throw notFound(type, name);
    if (!live) req.authorizeCreate?.();
    const force = req.query.get('force') === 'true';
    const out = serverSideApply({
      live,
      applied,
      manager,
      force,
      scope,
      ...(sub ? { subresource: sub } : {}),
    });
    const { object, created } = commitWrite(ctx, {
      type,
      namespace: ns,
      name,
      live,
      candidate: out.object,
      ownership: () => out.ownership,
      subresource: sub,
      dryRun,
    });
    return { code: created ? 201 : 200, body: servedAs(type, object) };
  }

  const supported = type.crd ? [JSON_PATCH, MERGE, APPLY] : [JSON_PATCH, MERGE, APPLY, STRATEGIC];
  if (!supported.includes(req.contentType)) {
    throw new ApiError(
      415,
      `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`,
      'UnsupportedMediaType',
    );
  }
  if (req.query.has('force')) {
    throw new ApiError(422, 'force: Forbidden: may not be specified for non-apply patch', 'Invalid');
  }
  if (!live) throw notFound(type, name);
  const body = decodeBody(req.body, 'json');
  const patched = (
    req.contentType === JSON_PATCH ? jsonPatch(live, body) : mergePatch(live, body)
  ) as KubeObject;
  const candidate = decodeObject(patched, type, { name, namespace: ns, requireTypeMeta: false });
  const managedFieldsEdited = !deepEqual(candidate.metadata.managedFields, live.metadata.managedFields);
  const base = readOwnership(managedFieldsEdited ? candidate : live);
  const who = manager ?? req.defaultManager;
  const { object } = commitWrite(ctx, {
    type,
    namespace: ns,
    name,
    live,
    candidate,
    ownership: (result) => recordUpdate(base, live, result, who, scope, sub),
    subresource: sub,
    dryRun,
  });
  return { code: 200, body: servedAs(type, object) };
}
