// The ClusterApi's refusal as data: the HTTP status and whether an immutable field blocked the change, so
// the puller decides to recreate an object from a property, not by reading the API server's text.
import { SluiceError, type SluiceErrorOptions } from '../core/errors.ts';

export class ClusterApiError extends SluiceError {
  /** The API server's HTTP status. */
  readonly status: number;
  /** The change touched a field the API server never lets change (a selector, a Job template). */
  readonly immutableField: boolean;

  constructor(
    message: string,
    data: { status: number; immutableField: boolean },
    options: SluiceErrorOptions = {},
  ) {
    super('ApplyFailed', message, options);
    this.name = 'ClusterApiError';
    this.status = data.status;
    this.immutableField = data.immutableField;
  }
}

export function isImmutableFieldError(err: unknown): boolean {
  return err instanceof ClusterApiError && err.immutableField;
}
