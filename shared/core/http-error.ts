// Errors as HTTP answers, as middy's HttpError does: a status, and whether the message is safe to show.
// Only errors written for the caller are shown; anything else answers with a generic text and the code.
import { type ErrorCode, isSluiceError, SluiceError, type SluiceErrorOptions } from './errors.ts';

/** An error meant for an HTTP caller: `status` is the answer's, `expose` says its message may be shown. */
export class HttpError extends SluiceError {
  readonly status: number;
  readonly expose: boolean;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    options: SluiceErrorOptions & { expose?: boolean } = {},
  ) {
    super(code, message, options);
    this.name = 'HttpError';
    this.status = status;
    // A 4xx is about the request and written for its sender; a 5xx is about us and is not.
    this.expose = options.expose ?? status < 500;
  }
}

export function isHttpError(err: unknown): err is HttpError {
  return err instanceof HttpError;
}

export interface HttpAnswer {
  status: number;
  /** What the caller reads: the error's own message only when exposed. */
  body: { error: string; code: ErrorCode };
}

/** Codes whose message is written for the request's sender, with their status. */
const CLIENT_ERRORS: Partial<Record<ErrorCode, number>> = { WebhookRejected: 400 };

export function httpAnswerOf(err: unknown): HttpAnswer {
  if (isHttpError(err)) return answer(err.status, err.code, err.expose ? err.message : undefined);
  if (isSluiceError(err)) {
    const status = CLIENT_ERRORS[err.code];
    if (status !== undefined) return answer(status, err.code, err.message);
    // A dependency down (store, queue, key service): the sender may try again later.
    if (err.retryable) return answer(503, err.code, undefined);
    return answer(500, err.code, undefined);
  }
  return answer(500, 'InternalError', undefined);
}

function answer(status: number, code: ErrorCode, exposed: string | undefined): HttpAnswer {
  const generic =
    status === 503 ? 'temporarily unavailable; try again later' : 'internal error; see the server logs';
  return { status, body: { error: exposed ?? generic, code } };
}
