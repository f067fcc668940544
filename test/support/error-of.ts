// Runs code that must throw a SluiceError and returns its code and message for exact assertions; any other
// error is rethrown, and no error at all fails the test.
import { isSluiceError } from '../../shared/core/errors.ts';

export function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an error');
}
