// What a source server's answers and transport failures mean to a source (HelmRepository, OCIRepository):
// 401/403 name the Secret, 5xx, rate limits and timeouts are worth a retry. URLs in messages carry no userinfo.
import { SluiceError } from '../../core/errors.ts';

/** Connection failures that a later attempt may not meet. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

/**
 * A refused or missing login. `fix` overrides the advice and field when the credentials are not the Secret's
 * (an ECR login).
 */
export function authFailed(
  where: string,
  status: number,
  hadCredentials: boolean,
  fix?: { fix: string; field: string },
): SluiceError {
  const advice =
    fix?.fix ??
    (hadCredentials
      ? 'check the credentials in spec.secretRef'
      : 'the repository needs credentials: set spec.secretRef');
  return new SluiceError('SourceAuthFailed', `${where} refused access (HTTP ${status}); ${advice}`, {
    field: fix?.field ?? 'spec.secretRef',
  });
}

/** Statuses other than 2xx/304/401/403/404: rate limits and server errors are retried, the rest is not. */
export function statusFailed(where: string, status: number): SluiceError {
  const transient = status === 408 || status === 429 || status >= 500;
  return new SluiceError(
    'SourceFetchFailed',
    `${where} answered HTTP ${status}${transient ? '; will retry' : ''}`,
    { retryable: transient, field: 'spec.url' },
  );
}

/**
 * A transport failure as a source's failure. GuardedHttp speaks in Git codes (GitFetchFailed for timeouts,
 * GitAuthFailed for credentials over plain HTTP); `limit` rewords its download limit.
 */
export function transportFailed(
  where: string,
  err: unknown,
  deadline?: AbortSignal,
  limit?: { what: string; bytes: number },
): SluiceError {
  if (err instanceof SluiceError) {
    if (err.code === 'GitFetchFailed') {
      return new SluiceError('SourceFetchFailed', err.message, {
        retryable: err.retryable,
        cause: err,
        field: 'spec.url',
      });
    }
    if (err.code === 'GitAuthFailed') {
      return new SluiceError('SourceAuthFailed', err.message, { cause: err, field: 'spec.url' });
    }
    if (err.code === 'LimitExceeded' && limit) {
      return new SluiceError(
        'LimitExceeded',
        `${limit.what} is larger than ${limit.bytes} bytes, the most Sluice reads; it is refused`,
        { cause: err, field: 'spec.url' },
      );
    }
    return err;
  }
  if (deadline?.aborted) {
    return new SluiceError('SourceFetchFailed', `fetching from ${where} ran past spec.timeout; will retry`, {
      retryable: true,
      cause: err,
      field: 'spec.timeout',
    });
  }
  const code = (err as { code?: string } | undefined)?.code;
  return new SluiceError(
    'SourceFetchFailed',
    `cannot reach ${where}${code ? ` (${code})` : ''}; will retry`,
    {
      retryable: code === undefined || TRANSIENT_CODES.has(code),
      cause: err,
      field: 'spec.url',
    },
  );
}
