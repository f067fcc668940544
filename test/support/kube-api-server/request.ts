// Shapes of a parsed resource request/response and the query options several verbs share (dryRun,
// fieldManager, label/field selectors), plus the generic 404/405 errors of the URL space.

import type { ResourceTarget } from './routing.ts';
import { type Matcher, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError, badRequest } from './status.ts';

export interface ApiRequest {
  method: string;
  target: ResourceTarget;
  query: URLSearchParams;
  /** Media type of the body, parameters stripped. */
  contentType: string;
  body: string;
  /** Field manager for non-apply writes that do not name one. */
  defaultManager: string;
  /**
   * Throws the 403 when the caller may not create this object: an apply that would create it needs `create`
   * besides `patch`, as in kube-apiserver. Absent when authorization is off.
   */
  authorizeCreate?: () => void;
}

export interface ApiResponse {
  code: number;
  body: unknown;
}

export function pathNotFound(): ApiError {
  return new ApiError(404, 'the server could not find the requested resource', 'NotFound', {});
}

export function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, `the server does not allow this method on the requested resource (${method})`);
}

export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw badRequest(`Invalid dryRun value "${v}": the only supported value is "All"`);
  }
  return values.length > 0;
}

export function fieldManager(query: URLSearchParams): string | undefined {
  const manager = query.get('fieldManager') ?? undefined;
  if (manager !== undefined && manager.length > 128) {
    throw new ApiError(422, `fieldManager: Too long: may not be longer than 128`, 'Invalid');
  }
  return manager;
}

export function selectors(query: URLSearchParams): Matcher {
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'));
  return (obj) => labels(obj) && fields(obj);
}
