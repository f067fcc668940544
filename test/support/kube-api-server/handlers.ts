// REST verbs on resource URLs: GET (single/LIST), POST, PUT, PATCH (apply, merge, strategic, JSON patch),
// DELETE (single/collection, with namespace and CRD cascades), plus resolving a URL to a resource type.

import { serverSideApply } from './apply.ts';
import { type ServerContext, scopeFor } from './context.ts';
import { decodeBody } from './http-io.ts';
import { clone, deepEqual, isMap } from './json.ts';
import { readOwnership, recordUpdate } from './managed-fields.ts';
import { jsonPatch, mergePatch } from './patches.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import type { ResourceTarget } from './routing.ts';
import { type Matcher, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { alreadyExists, ApiError, badRequest, notFound, success } from './status.ts';
import { type KubeObject, timestamp } from './types.ts';
import type { WatchRequest } from './watch.ts';
import { commitWrite } from './writes.ts';

export interface ApiRequest {
  method: string;
  target: ResourceTarget;
  query: URLSearchParams;
  /** Media type of the body, parameters stripped. */
  contentType: string;
  body: string;
  /** Field manager for non-apply writes that do not name one. */
  defaultManager: string;
}

export interface ApiResponse {
  code: number;
  body: unknown;
}

const APPLY = 'application/apply-patch+yaml';
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function pathNotFound(): ApiError {
  return new ApiError(404, 'the server could not find the requested resource', 'NotFound', {});
}

function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, `the server does not allow this method on the requested resource (${method})`);
}

function resolveType(ctx: ServerContext, target: ResourceTarget): ResourceType {
  const type = ctx.registry.find(target.group, target.version, target.plural);
  if (!type || (target.namespace !== undefined && !type.namespaced)) throw pathNotFound();
  if (target.subresource !== undefined && !(target.subresource === 'status' && type.statusSubresource)) {
    throw pathNotFound();
  }
  return type;
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw badRequest(`Invalid dryRun value "${v}": the only supported value is "All"`);
  }
  return values.length > 0;
}

function fieldManager(query: URLSearchParams): string | undefined {
  const manager = query.get('fieldManager') ?? undefined;
  if (manager !== undefined && manager.length > 128) {
    throw new ApiError(422, `fieldManager: Too long: may not be longer than 128`, 'Invalid');
  }
  return manager;
}

/** Object as served through `type`'s version. */
function view(type: ResourceType, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: apiVersionOf(type) };
}

interface DecodeOptions {
  name?: string;
  namespace: string;
  requireTypeMeta: boolean;
}

/** Decodes a request body into an object of `type`, enforcing the real server's identity checks. */
function decodeObject(raw: unknown, type: ResourceType, opts: DecodeOptions): KubeObject {
  if (!isMap(raw)) throw badRequest(`the body must be a ${type.kind} object`);
  const expected = apiVersionOf(type);
  if (opts.requireTypeMeta && !raw.apiVersion) throw badRequest(`Object 'apiVersion' is missing in the request body`);
  if (opts.requireTypeMeta && !raw.kind) throw badRequest(`Object 'Kind' is missing in the request body`);
  if (raw.apiVersion !== undefined && raw.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${String(raw.apiVersion)}) does not match the expected API version (${expected})`);
  }
  if (raw.kind !== undefined && raw.kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(raw.kind)}) does not match the expected kind (${type.kind})`);
  }
  if (raw.metadata !== undefined && !isMap(raw.metadata)) throw badRequest('metadata must be an object');
  const metadata = clone(raw.metadata ?? {}) as KubeObject['metadata'];
  if (opts.name !== undefined && metadata.name !== undefined && metadata.name !== opts.name) {
    throw badRequest(`the name of the object (${String(metadata.name)}) does not match the name on the URL (${opts.name})`);
  }
  if (type.namespaced && metadata.namespace !== undefined && metadata.namespace !== opts.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  return { ...clone(raw), apiVersion: expected, kind: type.kind, metadata };
}

function generateName(prefix: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(Math.random() * alphabet.length)];
  return `${prefix}${suffix}`;
}

function selectors(query: URLSearchParams): Matcher {
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'));
  return (obj) => labels(obj) && fields(obj);
}

function continueToken(obj: KubeObject): string {
  return Buffer.from(JSON.stringify([obj.metadata.namespace ?? '', obj.metadata.name ?? ''])).toString('base64url');
}

function list(ctx: ServerContext, type: ResourceType, namespace: string | undefined, query: URLSearchParams): ApiResponse {
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
    const v = view(type, o);
    if (type.crd) return v;
    const { apiVersion: _a, kind: _k, ...rest } = v;
    return rest;
  });
  return { code: 200, body: { apiVersion: apiVersionOf(type), kind: type.listKind, metadata, items: shown } };
}

function create(ctx: ServerContext, type: ResourceType, ns: string, req: ApiRequest): ApiResponse {
  const obj = decodeObject(decodeBody(req.body, req.contentType), type, { namespace: ns, requireTypeMeta: false });
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
  return { code: 201, body: view(type, object) };
}

function replace(ctx: ServerContext, type: ResourceType, ns: string, name: string, req: ApiRequest): ApiResponse {
  const sub = req.target.subresource;
  const obj = decodeObject(decodeBody(req.body, req.contentType), type, { name, namespace: ns, requireTypeMeta: false });
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
  return { code: 200, body: view(type, object) };
}

function patch(ctx: ServerContext, type: ResourceType, ns: string, name: string, req: ApiRequest): ApiResponse {
  const sub = req.target.subresource;
  const scope = scopeFor(type, sub);
  const stored = ctx.store.get(type, ns, name);
  const live = stored && view(type, stored);
  const dryRun = isDryRun(req.query);
  const manager = fieldManager(req.query);

  if (req.contentType === APPLY) {
    if (!manager) throw badRequest('fieldManager is required for apply requests');
    const applied = decodeObject(decodeBody(req.body, 'yaml'), type, { name, namespace: ns, requireTypeMeta: true });
    if (applied.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
    if (!live && sub === 'status') throw notFound(type, name);
    const force = req.query.get('force') === 'true';
    const out = serverSideApply({ live, applied, manager, force, scope, ...(sub ? { subresource: sub } : {}) });
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
    return { code: created ? 201 : 200, body: view(type, object) };
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
  const patched = (req.contentType === JSON_PATCH ? jsonPatch(live, body) : mergePatch(live, body)) as KubeObject;
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
  return { code: 200, body: view(type, object) };
}

/** Deletes one stored object plus whatever it owns (namespace contents, a CRD's custom resources). */
function removeCascading(ctx: ServerContext, type: ResourceType, ns: string, name: string): void {
  ctx.store.remove(type, ns, name);
  if (type.group === '' && type.kind === 'Namespace') {
    const seen = new Set<string>();
    for (const t of ctx.registry.all()) {
      const key = `${t.group}/${t.plural}`;
      if (!t.namespaced || seen.has(key)) continue;
      seen.add(key);
      for (const obj of ctx.store.list(t, name)) ctx.store.remove(t, name, obj.metadata.name ?? '');
    }
  }
  if (type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition') {
    const served = ctx.registry.all().find((t) => t.crd === name);
    if (served) {
      for (const obj of ctx.store.list(served)) {
        ctx.store.remove(served, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
      }
    }
    ctx.registry.unregisterCrd(name);
  }
}

function deleteOne(ctx: ServerContext, type: ResourceType, ns: string, name: string, req: ApiRequest): ApiResponse {
  const live = ctx.store.get(type, ns, name);
  if (!live) throw notFound(type, name);
  const options = req.body.trim() ? decodeBody(req.body, 'json') : {};
  const preconditions = isMap(options) && isMap(options.preconditions) ? options.preconditions : {};
  for (const field of ['uid', 'resourceVersion'] as const) {
    const wanted = preconditions[field];
    if (wanted !== undefined && wanted !== null && wanted !== live.metadata[field]) {
      const label = field === 'uid' ? 'UID' : 'ResourceVersion';
      throw new ApiError(
        409,
        `Precondition failed: ${label} in precondition: ${String(wanted)}, ${label} in object meta: ${String(live.metadata[field])}`,
        'Conflict',
        { name, ...(type.group ? { group: type.group } : {}), kind: type.plural },
      );
    }
  }
  const policy = req.query.get('propagationPolicy') ?? (isMap(options) ? options.propagationPolicy : undefined);
  if (policy !== undefined && policy !== null && !['Orphan', 'Background', 'Foreground'].includes(String(policy))) {
    throw new ApiError(
      422,
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan", "nil"`,
      'Invalid',
    );
  }
  const isNamespace = type.group === '' && type.kind === 'Namespace';
  if (isNamespace && PROTECTED_NAMESPACES.has(name)) {
    throw new ApiError(403, `namespaces "${name}" is forbidden: this namespace may not be deleted`, 'Forbidden', {
      name,
      kind: 'namespaces',
    });
  }
  if (!isDryRun(req.query)) removeCascading(ctx, type, ns, name);
  const isCrd = type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition';
  if (isNamespace || isCrd) {
    const terminating = view(type, live);
    terminating.metadata.deletionTimestamp = timestamp();
    if (isNamespace) terminating.status = { phase: 'Terminating' };
    return { code: 200, body: terminating };
  }
  return {
    code: 200,
    body: success({ name, ...(type.group ? { group: type.group } : {}), kind: type.plural, uid: live.metadata.uid }),
  };
}

function deleteCollection(ctx: ServerContext, type: ResourceType, ns: string, req: ApiRequest): ApiResponse {
  const matches = selectors(req.query);
  const doomed = ctx.store.list(type, ns).filter(matches);
  if (!isDryRun(req.query)) {
    for (const obj of doomed) removeCascading(ctx, type, ns, obj.metadata.name ?? '');
  }
  return {
    code: 200,
    body: {
      apiVersion: apiVersionOf(type),
      kind: type.listKind,
      metadata: { resourceVersion: ctx.store.resourceVersion },
      items: doomed.map((o) => view(type, o)),
    },
  };
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
      return { code: 200, body: view(type, obj) };
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

