// The common tail of every create/update/patch/apply: preconditions, status-subresource separation,
// server-set metadata, defaulting, validation, simulated controllers, no-op detection and storage.

import { randomUUID } from 'node:crypto';
import { namespaceExists, type ServerContext } from './context.ts';
import { reconcileStatus } from './controllers.ts';
import { applyDefaults } from './defaults.ts';
import { clone, deepEqual } from './json.ts';
import { dropVanished, type Ownership, writeOwnership } from './managed-fields.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import { invalid, modifiedConflict, namespaceNotFound } from './status.ts';
import { canonicalOrder, type KubeObject, timestamp } from './types.ts';
import { validate } from './validation.ts';

export interface WriteRequest {
  type: ResourceType;
  /** '' for cluster-scoped types. */
  namespace: string;
  name: string;
  live: KubeObject | undefined;
  /** The full desired object (body of PUT/POST, or the patched/applied live object). */
  candidate: KubeObject;
  /** Field ownership for the final object (called after defaulting). */
  ownership: (result: KubeObject) => Ownership[];
  subresource?: string;
  dryRun: boolean;
  /** PUT on a custom resource: metadata.resourceVersion must be given. */
  requireResourceVersion?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  created: boolean;
}

function withoutMetaAndStatus(obj: KubeObject | undefined): unknown {
  if (!obj) return undefined;
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** The object minus what changes on every write anyway, to spot no-op writes. */
function comparable(obj: KubeObject): unknown {
  const copy = clone(obj);
  delete copy.metadata.resourceVersion;
  copy.metadata.managedFields = (copy.metadata.managedFields ?? []).map((e) => ({ ...e, time: '' }));
  return copy;
}

export function commitWrite(ctx: ServerContext, req: WriteRequest): WriteResult {
  const { type, live } = req;
  if (type.namespaced && !live && !namespaceExists(ctx, req.namespace))
    throw namespaceNotFound(req.namespace);

  const given = req.candidate.metadata.resourceVersion;
  if (live && given && given !== live.metadata.resourceVersion) throw modifiedConflict(type, req.name);
  if (live && req.requireResourceVersion && !given) {
    throw invalid(type, req.name, [
      {
        field: 'metadata.resourceVersion',
        reason: 'FieldValueInvalid',
        detail: 'Invalid value: 0x0: must be specified for an update',
      },
    ]);
  }

  let result: KubeObject;
  if (req.subresource === 'status') {
    result = clone(live ?? req.candidate);
    if (req.candidate.status === undefined) delete result.status;
    else result.status = clone(req.candidate.status);
  } else {
    result = clone(req.candidate);
    if (type.statusSubresource) {
      if (live?.status !== undefined) result.status = clone(live.status);
      else delete result.status;
    }
  }

  result.apiVersion = apiVersionOf(type);
  result.kind = type.kind;
  const meta = result.metadata;
  meta.name = req.name;
  if (type.namespaced) meta.namespace = req.namespace;
  else delete meta.namespace;
  meta.uid = live?.metadata.uid ?? randomUUID();
  meta.creationTimestamp = live?.metadata.creationTimestamp ?? timestamp();
  delete meta.selfLink;
  delete meta.deletionTimestamp;
  if (live) meta.resourceVersion = live.metadata.resourceVersion;
  else delete meta.resourceVersion;

  if (req.subresource !== 'status') applyDefaults(type, result, live, ctx.defaulting);

  if (type.tracksGeneration) {
    const previous = live?.metadata.generation ?? 0;
    meta.generation =
      live && deepEqual(withoutMetaAndStatus(live), withoutMetaAndStatus(result)) ? previous : previous + 1;
  } else {
    delete meta.generation;
  }

  const ownership = req.ownership(result);
  dropVanished(ownership, result);
  writeOwnership(result, ownership);

  validate(type, result, live);
  if (req.subresource !== 'status') reconcileStatus(type, result, live, ctx.controllers);

  if (live && deepEqual(comparable(live), comparable(result))) return { object: live, created: false };
  if (!req.dryRun) result.metadata.resourceVersion = ctx.store.nextResourceVersion();
  result = canonicalOrder(result);
  if (req.dryRun) return { object: result, created: !live };

  // A terminating object stays terminating, and goes once its last finalizer is removed.
  if (live?.metadata.deletionTimestamp) {
    if (!result.metadata.finalizers?.length) {
      ctx.store.remove(type, result.metadata.namespace ?? '', result.metadata.name ?? '');
      return { object: clone(result), created: false };
    }
    result.metadata.deletionTimestamp = live.metadata.deletionTimestamp;
  }
  ctx.store.put(type, result);
  if (type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition') {
    ctx.registry.registerCrd(result);
  }
  return { object: clone(result), created: !live };
}
