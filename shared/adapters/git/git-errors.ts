// Maps isomorphic-git and network failures to Sluice errors: auth problems are not retryable (fix the
// Secret), network trouble is. Messages name the repository without its credentials.
import { SluiceError } from '../../core/errors.ts';
import { redactUrl } from '../../core/git/select-ref.ts';

export function toGitError(err: unknown, url: string, secretHint: string): SluiceError {
  if (err instanceof SluiceError) return err;
  if (process.env.SLUICE_DEBUG_GIT) console.error(err);
  const e = err as { code?: string; data?: { statusCode?: number }; message?: string };
  const where = redactUrl(url);
  const status = e.data?.statusCode;
  if (status === 401 || status === 403 || e.code === 'UserCanceledError') {
    return new SluiceError(
      'GitAuthFailed',
      `authentication to ${where} failed (HTTP ${status ?? 401}); ${secretHint}`,
      { cause: scrub(err, url) },
    );
  }
  if (status === 404) {
    return new SluiceError('GitFetchFailed', `repository ${where} not found (HTTP 404); check spec.url`, {
      cause: scrub(err, url),
    });
  }
  if (e.code === 'NotFoundError') {
    return new SluiceError(
      'GitRefNotFound',
      `reference not found in ${where}: ${redact(e.message ?? '', url)}`,
      {
        cause: scrub(err, url),
      },
    );
  }
  return new SluiceError(
    'GitFetchFailed',
    `fetching ${where} failed: ${redact(e.message ?? String(err), url)}; will retry`,
    {
      retryable: true,
      cause: scrub(err, url),
    },
  );
}

function redact(text: string, url: string): string {
  return text.split(url).join(redactUrl(url));
}

/** Keep the original error as cause only without anything that could hold credentials. */
function scrub(err: unknown, url: string): Error {
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  const copy = new Error(redact(typeof e.message === 'string' ? e.message : String(err), url));
  copy.name = typeof e.name === 'string' ? e.name : 'Error';
  return copy;
}
