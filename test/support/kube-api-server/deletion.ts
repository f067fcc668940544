// DELETE of single objects and collections: preconditions, propagationPolicy validation, protected
// namespaces, and cascades (namespace contents, a CRD's custom resources).

import type { ServerContext } from './context.ts';
import { decodeBody } from './http-io.ts';
import { isMap } from './json.ts';
import { type ApiRequest, type ApiResponse, isDryRun, selectors } from './request.ts';
import { apiVersionOf, type ResourceType, servedAs } from './resources.ts';
import { ApiError, notFound, success } from './status.ts';
import { timestamp } from './types.ts';

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/** Deletes one stored object plus whatever it owns (namespace contents, a CRD's custom resources). */
export function removeCascading(ctx: ServerContext, type: ResourceType, ns: string, name: string): void {
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

export function deleteOne(
  ctx: ServerContext,
  type: ResourceType,
  ns: string,
  name: string,
  req: ApiRequest,
): ApiResponse {
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
  const policy =
    req.query.get('propagationPolicy') ?? (isMap(options) ? options.propagationPolicy : undefined);
  if (
    policy !== undefined &&
    policy !== null &&
    !['Orphan', 'Background', 'Foreground'].includes(String(policy))
  ) {
    throw new ApiError(
      422,
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan", "nil"`,
      'Invalid',
    );
  }
  const isNamespace = type.group === '' && type.kind === 'Namespace';
  if (isNamespace && PROTECTED_NAMESPACES.has(name)) {
    throw new ApiError(
      403,
      `namespaces "${name}" is forbidden: this namespace may not be deleted`,
      'Forbidden',
      {
        name,
        kind: 'namespaces',
      },
    );
  }
  // As kube-apiserver: an object with finalizers is only marked terminating, and stays until they are removed.
  if (live.metadata.finalizers?.length) {
    const terminating = structuredClone(live);
    terminating.metadata.deletionTimestamp ??= timestamp();
    if (!isDryRun(req.query) && !live.metadata.deletionTimestamp) {
      terminating.metadata.resourceVersion = ctx.store.nextResourceVersion();
      ctx.store.put(type, terminating);
    }
    return { code: 200, body: servedAs(type, terminating) };
  }
  if (!isDryRun(req.query)) removeCascading(ctx, type, ns, name);
  const isCrd = type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition';
  if (isNamespace || isCrd) {
    const terminating = servedAs(type, live);
    terminating.metadata.deletionTimestamp = timestamp();
    if (isNamespace) terminating.status = { phase: 'Terminating' };
    return { code: 200, body: terminating };
  }
  return {
    code: 200,
    body: success({
      name,
      ...(type.group ? { group: type.group } : {}),
      kind: type.plural,
      uid: live.metadata.uid,
    }),
  };
}

export function deleteCollection(
  ctx: ServerContext,
  type: ResourceType,
  ns: string,
  req: ApiRequest,
): ApiResponse {
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
      items: doomed.map((o) => servedAs(type, o)),
    },
  };
}
