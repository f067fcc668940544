// Runs code that must throw a SluiceError and returns its code and message for exact assertions; any other
// error is rethrown, and no error at all fails the test.
import { isSluiceError, type SluiceError } from '../../shared/core/errors.ts';

export function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an error');
}

/** The SluiceError a promise rejects with; a resolve, or any other error, fails the test. */
export async function rejectionOf(promise: Promise<unknown>): Promise<SluiceError> {
  const outcome = await promise.then(
    () => ({ rejected: false as const }),
    (err: unknown) => ({ rejected: true as const, err }),
  );
  if (!outcome.rejected) throw new Error('expected a rejection');
  if (!isSluiceError(outcome.err)) throw outcome.err;
  return outcome.err;
}
