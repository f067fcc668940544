// Maps isomorphic-git and network failures to Sluice errors: auth problems are not retryable (fix the
// Secret), network trouble is. Messages name the repository without its credentials and are built from
// status codes and error codes only: a response body, reason phrase or server message never gets in.
import { SluiceError } from '../../core/errors.ts';
import { redactUrl } from '../../core/git/select-ref.ts';

interface ForeignError {
  code?: unknown;
  name?: unknown;
  data?: { statusCode?: unknown; what?: unknown };
}

export function toGitError(err: unknown, url: string, secretHint: string): SluiceError {
  if (err instanceof SluiceError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ForeignError;
  const where = redactUrl(url);
  const status = typeof e.data?.statusCode === 'number' ? e.data.statusCode : undefined;
  const fail = (
    code: 'GitAuthFailed' | 'GitFetchFailed' | 'GitRefNotFound',
    text: string,
    retryable: boolean,
  ) => new SluiceError(code, text, { retryable, cause: safeCause(e, text) });
  if (status === 401 || status === 403 || e.code === 'UserCanceledError') {
    return fail(
      'GitAuthFailed',
      `authentication to ${where} failed (HTTP ${status ?? 401}); ${secretHint}`,
      false,
    );
  }
  if (status === 404) {
    return fail('GitFetchFailed', `repository ${where} not found (HTTP 404); check spec.url`, false);
  }
  if (e.code === 'NotFoundError') {
    const what = typeof e.data?.what === 'string' && SAFE_NAME.test(e.data.what) ? ` ${e.data.what}` : '';
    return fail(
      'GitRefNotFound',
      `reference not found in ${where}:${what || ' the requested object'}`,
      false,
    );
  }
  return fail('GitFetchFailed', `fetching ${where} failed: ${describe(e, status)}; will retry`, true);
}

/** A ref or object name as we asked for it; anything else could have come from the server. */
const SAFE_NAME = /^[\w./^{}-]{1,200}$/;

function describe(e: ForeignError, status: number | undefined): string {
  if (status !== undefined) return `the server answered HTTP ${status}`;
  switch (e.code) {
    case 'SmartHttpError':
      return 'the server did not answer with the Git smart HTTP protocol (is spec.url a Git repository?)';
    case 'EmptyServerResponseError':
      return 'the server sent an empty answer';
    case 'ParseError':
    case 'InvalidOidError':
      return 'the server sent an answer that is not valid Git protocol';
  }
  // Node's network and TLS errors carry an upper-case code (ECONNREFUSED, CERT_HAS_EXPIRED, …).
  if (typeof e.code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(e.code)) return `network error ${e.code}`;
  // Anything else may be a message the server sent (a side-band error line): name it, never repeat it.
  return `the transfer failed (${typeof e.name === 'string' && /^\w{1,64}$/.test(e.name) ? e.name : 'Error'})`;
}

/** The original error as cause, reduced to its name and our own message: no `data`, no server text. */
function safeCause(e: ForeignError, message: string): Error {
  const copy = new Error(message);
  copy.name = typeof e.name === 'string' && /^\w{1,64}$/.test(e.name) ? e.name : 'Error';
  return copy;
}
