// metav1.Status bodies and the ApiError exception that carries one: every failure the stand-in reports is
// shaped like the real API server's (kind Status, status Failure, reason, code, details).

import type { ResourceType } from './resources.ts';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
  type?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

const reasonsByCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function reasonForCode(code: number): string {
  return reasonsByCode[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
}

export class ApiError extends Error {
  readonly status: StatusBody;
  constructor(code: number, message: string, reason = reasonForCode(code), details?: StatusDetails) {
    super(message);
    this.status = failure(code, message, reason, details);
  }
}

export function failure(
  code: number,
  message: string,
  reason = reasonForCode(code),
  details?: StatusDetails,
): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function success(details: StatusDetails): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

/** `configmaps` or `deployments.apps`, as in real error messages. */
export function qualifiedResource(type: Pick<ResourceType, 'plural' | 'group'>): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function groupKindDetails(type: ResourceType, name: string): StatusDetails {
  return type.group ? { name, group: type.group, kind: type.plural } : { name, kind: type.plural };
}

export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(
    404,
    `${qualifiedResource(type)} "${name}" not found`,
    'NotFound',
    groupKindDetails(type, name),
  );
}

export function namespaceNotFound(namespace: string): ApiError {
  return new ApiError(404, `namespaces "${namespace}" not found`, 'NotFound', {
    name: namespace,
    kind: 'namespaces',
  });
}

export function alreadyExists(type: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    `${qualifiedResource(type)} "${name}" already exists`,
    'AlreadyExists',
    groupKindDetails(type, name),
  );
}

export function modifiedConflict(type: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    'Conflict',
    groupKindDetails(type, name),
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, message, 'BadRequest');
}

export interface FieldError {
  field: string;
  /** e.g. `Invalid value: "x": field is immutable`, `Required value`, `Forbidden: ...` */
  detail: string;
  reason: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueNotSupported';
}

/** 422 `Deployment.apps "web" is invalid: spec.selector: Invalid value: ...: field is immutable`. */
export function invalid(type: ResourceType, name: string, errors: FieldError[]): ApiError {
  const gk = type.group ? `${type.kind}.${type.group}` : type.kind;
  const list = errors.map((e) => `${e.field}: ${e.detail}`);
  const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError(422, `${gk} "${name}" is invalid: ${joined}`, 'Invalid', {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.kind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.detail, field: e.field })),
  });
}
