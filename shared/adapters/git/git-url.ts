// The one check every Git URL passes before anything parses or fetches it: http(s) only, with the hint a
// user needs otherwise. A bad URL fails the same way on every retry, so it is a non-retryable ValidationFailed.
import { unsupportedUrl } from '../../api/decode-git-repository.ts';
import { SluiceError } from '../../core/errors.ts';

export function parseGitUrl(url: string): URL {
  const problem = unsupportedUrl(url);
  if (problem === undefined) return new URL(url);
  // It may come from a record written before the decoder refused it, or from a flag such as --fleet-url.
  throw new SluiceError('ValidationFailed', `spec.url: ${problem}`, { field: 'spec.url', retryable: false });
}
