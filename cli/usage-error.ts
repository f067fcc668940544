// A mistake in how `sluice` was called (unknown command or flag, a missing or bad value): exit code 2, as
// documented, with a one-line message that says what to write instead.
import { SluiceError } from '../shared/core/errors.ts';

export const USAGE_EXIT_CODE = 2;

/** Thrown by the argument parsing; the CLI's error handler exits with `exitCode`. */
export class CliUsageError extends SluiceError {
  readonly exitCode = USAGE_EXIT_CODE;

  constructor(message: string) {
    super('UsageError', message);
    this.name = 'CliUsageError';
  }
}

export function isCliUsageError(err: unknown): err is CliUsageError {
  return err instanceof CliUsageError;
}
