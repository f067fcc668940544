// An OCIRepository URL (`oci://host[:port]/repository`) split into the registry host and repository name,
// checked against the distribution spec's name grammar so nothing else reaches a request path.
import { SluiceError } from '../errors.ts';

export interface OciLocation {
  /** `host[:port]`, lower case. */
  host: string;
  /** `path/to/repository`, as the registry API names it. */
  repository: string;
}

/** The distribution spec's repository name: lower-case path components joined by `.`, `_`, `__` or `-`s. */
const NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function parseOciUrl(url: string): OciLocation {
  // Credentials written into the URL are never echoed back.
  const shown = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1***@');
  const bad = (why: string): never => {
    throw new SluiceError(
      'ValidationFailed',
      `spec.url ${JSON.stringify(shown)} ${why}; write oci://host/repository`,
      {
        field: 'spec.url',
      },
    );
  };
  if (!url.startsWith('oci://')) bad('is not an oci:// URL');
  const rest = url.slice('oci://'.length).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  if (slash <= 0) bad('names no repository');
  const host = rest.slice(0, slash).toLowerCase();
  const repository = rest.slice(slash + 1);
  if (host.includes('@')) bad('carries credentials (use spec.secretRef)');
  if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(host)) bad('has no valid host');
  if (repository.includes('@') || /:[^/]*$/.test(repository)) bad('names a tag or digest (use spec.ref)');
  if (!NAME.test(repository)) bad('has a repository name the registry API does not allow');
  return { host, repository };
}

export function isDigestReference(reference: string): boolean {
  return DIGEST.test(reference);
}

/** A tag or a sha256 digest; anything else (other digest algorithms included) is refused. */
export function assertReference(reference: string, field: string): void {
  if (isDigestReference(reference) || TAG.test(reference)) return;
  throw new SluiceError(
    'ValidationFailed',
    `${JSON.stringify(reference)} is neither an OCI tag nor a sha256:<64 hex> digest`,
    { field },
  );
}

export function isSha256Digest(digest: string): boolean {
  return DIGEST.test(digest);
}
