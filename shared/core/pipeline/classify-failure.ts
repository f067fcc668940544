// The one verdict on a failed job, shared by the Lambda batch handler and the embedded worker: its code,
// whether a retry can help, and the Flux reason it shows. Retry vs. dead-letter follows from `retryable`.
import { type ErrorCode, isSluiceError } from '../errors.ts';
import { type FluxReason, reasonForCode } from '../flux-reason.ts';

export interface Failure {
  code: ErrorCode;
  retryable: boolean;
  reason: FluxReason;
  /** For the operator (logs, the dead-letter record); an HTTP answer never shows it unless exposed. */
  message: string;
}

export function classifyFailure(err: unknown): Failure {
  if (isSluiceError(err)) {
    return {
      code: err.code,
      retryable: err.retryable,
      reason: reasonForCode(err.code),
      message: err.message,
    };
  }
  // Not ours (a bug, a platform hiccup): assume transient, so a bounded number of retries can still save
  // the job; out of attempts it is dead-lettered like any other.
  return {
    code: 'InternalError',
    retryable: true,
    reason: reasonForCode('InternalError'),
    message: err instanceof Error ? err.message : String(err),
  };
}
