// Request bodies to objects: identity checks against the URL (apiVersion, kind, name, namespace) with the
// real server's 400 messages, and generateName suffixes.

import { clone, isMap } from './json.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import { badRequest } from './status.ts';
import type { KubeObject } from './types.ts';

export interface DecodeOptions {
  name?: string;
  namespace: string;
  requireTypeMeta: boolean;
}

/** Decodes a request body into an object of `type`, enforcing the real server's identity checks. */
export function decodeObject(raw: unknown, type: ResourceType, opts: DecodeOptions): KubeObject {
  if (!isMap(raw)) throw badRequest(`the body must be a ${type.kind} object`);
  const expected = apiVersionOf(type);
  if (opts.requireTypeMeta && !raw.apiVersion)
    throw badRequest(`Object 'apiVersion' is missing in the request body`);
  if (opts.requireTypeMeta && !raw.kind) throw badRequest(`Object 'Kind' is missing in the request body`);
  if (raw.apiVersion !== undefined && raw.apiVersion !== expected) {
    throw badRequest(
      `the API version in the data (${String(raw.apiVersion)}) does not match the expected API version (${expected})`,
    );
  }
  if (raw.kind !== undefined && raw.kind !== type.kind) {
    throw badRequest(
      `the kind in the data (${String(raw.kind)}) does not match the expected kind (${type.kind})`,
    );
  }
  if (raw.metadata !== undefined && !isMap(raw.metadata)) throw badRequest('metadata must be an object');
  const metadata = clone(raw.metadata ?? {}) as KubeObject['metadata'];
  if (opts.name !== undefined && metadata.name !== undefined && metadata.name !== opts.name) {
    throw badRequest(
      `the name of the object (${String(metadata.name)}) does not match the name on the URL (${opts.name})`,
    );
  }
  if (type.namespaced && metadata.namespace !== undefined && metadata.namespace !== opts.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  return { ...clone(raw), apiVersion: expected, kind: type.kind, metadata };
}

export function generateName(prefix: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(Math.random() * alphabet.length)];
  return `${prefix}${suffix}`;
}
