// The URL kustomize will fetch for a remote reference the guard let through (https forms only), so its
// host can be checked against the address policy before the build.
import { SluiceError } from '../errors.ts';

/** `https://h/…`, `git::https://h/…` or kustomize's `github.com/org/repo//path` shorthand. */
export function remoteRefUrl(ref: string): URL {
  const text = ref.replace(/^git::/i, '');
  try {
    return new URL(/^https:\/\//i.test(text) ? text : `https://${text}`);
  } catch (cause) {
    throw new SluiceError(
      'RemoteBaseDisabled',
      `remote reference ${JSON.stringify(ref)} is not a valid URL`,
      {
        cause,
      },
    );
  }
}
