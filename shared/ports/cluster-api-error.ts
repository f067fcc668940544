// The ClusterApi's refusal as data: the HTTP status, whether an immutable field blocked the change, and for a
// 403 which object and verb were refused to whom, so the puller decides and reports from properties, not by
// reading the API server's text.
import { SluiceError, type SluiceErrorOptions } from '../core/errors.ts';

/** A 403: the identity the call ran as may not do this to this object. */
export interface Forbidden {
  /** `Kind/namespace/name` (`Kind/namespace/` for a list). */
  object: string;
  /** The Kubernetes verb the API server refused: `create`, `patch`, `get`, `list`, `delete`, ... */
  verb: string;
  /** The user the call acted as (impersonation); absent when the caller acted as itself. */
  user?: string;
}

/** A 409 of server-side apply: another field manager set this field to another value. */
export interface FieldConflict {
  /** The other field manager (`kubectl`, `kube-controller-manager`, ...). */
  manager: string;
  /** The field as the API server names it, e.g. `.spec.replicas` (a path, never a value). */
  field: string;
}

export class ClusterApiError extends SluiceError {
  /** The API server's HTTP status. */
  readonly status: number;
  /** The change touched a field the API server never lets change (a selector, a Job template). */
  readonly immutableField: boolean;
  /** Set for a 403 (code AccessDenied). */
  readonly forbidden: Forbidden | undefined;
  /** Set for a server-side apply's 409: the fields other managers own, which a forced apply would take. */
  readonly conflicts: FieldConflict[] | undefined;

  constructor(
    message: string,
    data: { status: number; immutableField: boolean; forbidden?: Forbidden; conflicts?: FieldConflict[] },
    options: SluiceErrorOptions = {},
  ) {
    super(data.forbidden ? 'AccessDenied' : 'ApplyFailed', message, {
      ...options,
      ...(data.forbidden && { object: data.forbidden.object }),
    });
    this.name = 'ClusterApiError';
    this.status = data.status;
    this.immutableField = data.immutableField;
    this.forbidden = data.forbidden;
    this.conflicts = data.conflicts;
  }
}

export function isImmutableFieldError(err: unknown): boolean {
  return err instanceof ClusterApiError && err.immutableField;
}

/** The refusal, when `err` is the API server's 403. */
export function forbiddenOf(err: unknown): Forbidden | undefined {
  return err instanceof ClusterApiError ? err.forbidden : undefined;
}

/** The fields another manager owns, when `err` is server-side apply's 409 conflict. */
export function conflictsOf(err: unknown): FieldConflict[] | undefined {
  return err instanceof ClusterApiError ? err.conflicts : undefined;
}
