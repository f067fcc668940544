// Field readers the chart and OCI source decoders share: Secret references, timeouts, providers, URLs
// without credentials, and the refusals of features Sluice cannot honour (signature verification).
import { parseDuration } from './duration.ts';
import type { FieldReader } from './field-reader.ts';
import { SECRET_REF_FIELDS } from './flux-fields.ts';
import type { SourceProvider } from './helm-repository.ts';

type Raw = Record<string, unknown>;

/** Flux's source timeout pattern: unlike intervals, no hours. */
const TIMEOUT_PATTERN = /^([0-9]+(\.[0-9]+)?(ms|s|m))+$/;
export const DEFAULT_TIMEOUT_MS = 60_000;
export const PROVIDERS: readonly SourceProvider[] = ['generic', 'aws', 'azure', 'gcp'];
/** A URL whose authority carries userinfo (`user@` or `user:password@`), for any scheme. */
const USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/** A `meta.LocalObjectReference` (a Secret in the object's own namespace): `{name}`, name required. */
export function readLocalRef(
  spec: Raw | undefined,
  key: string,
  r: FieldReader,
): { name: string } | undefined {
  const path = `spec.${key}`;
  const ref = r.object(spec, key, path);
  r.knownFields(ref, path, SECRET_REF_FIELDS);
  const name = ref && r.string(ref, 'name', `${path}.name`, { required: true });
  return name ? { name } : undefined;
}

/** spec.timeout with Flux's pattern (ms, s or m), 60s when unset as in Flux. */
export function readTimeout(spec: Raw | undefined, r: FieldReader): number {
  const text = r.string(spec, 'timeout', 'spec.timeout', {
    pattern: TIMEOUT_PATTERN,
    patternHint: 'a duration in ms, s or m such as "60s"',
  });
  if (text === undefined || !TIMEOUT_PATTERN.test(text)) return DEFAULT_TIMEOUT_MS;
  return parseDuration(text) ?? DEFAULT_TIMEOUT_MS;
}

export function readProvider(spec: Raw | undefined, r: FieldReader): SourceProvider {
  const provider = r.string(spec, 'provider', 'spec.provider', { oneOf: PROVIDERS });
  return provider && (PROVIDERS as readonly string[]).includes(provider)
    ? (provider as SourceProvider)
    : 'generic';
}

/**
 * A `user:password@` URL would be stored, shown in status and sent along every redirect, so it is refused
 * (without echoing it) in favour of spec.secretRef, as for GitRepository. Returns false when refused.
 */
export function refuseUserinfo(url: string, r: FieldReader): boolean {
  if (!USERINFO.test(url)) return true;
  r.fail(
    'spec.url',
    'must not contain credentials (user:password@); remove them from the URL and put them in a Secret named in spec.secretRef',
  );
  return false;
}

/** The URL as shown in messages, never with what could be a password in front of an '@'. */
export function shownUrl(url: string): string {
  return JSON.stringify(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1***@'));
}

/**
 * Flux checks the artifact's cosign or notation signature before using it. Sluice cannot verify signatures
 * yet, and fetching the artifact unverified would silently drop a security check the fleet asked for, so
 * the object is refused instead.
 */
export function refuseVerify(spec: Raw | undefined, path: string, what: string, r: FieldReader): void {
  if (spec?.verify === undefined || spec.verify === null) return;
  r.fail(
    path,
    `signature verification (cosign, notation) is not supported by this Sluice version yet, and Sluice will not use the ${what} unverified, so this object is refused; remove ${path} only if an unverified ${what} is acceptable`,
  );
}

/** The OCI distribution spec's repository name grammar (lowercase components separated by '/'). */
const OCI_REPOSITORY_NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

/** Why `path` (the part of an oci:// URL after the host) is no registry repository name, or undefined. */
export function ociRepositoryProblem(path: string): string | undefined {
  if (OCI_REPOSITORY_NAME.test(path)) return undefined;
  return path.toLowerCase() !== path && OCI_REPOSITORY_NAME.test(path.toLowerCase())
    ? `registry repository names are lowercase: write ${JSON.stringify(path.toLowerCase())}`
    : `${JSON.stringify(path)} is not a registry repository name (lowercase letters, digits and . _ - separators, components joined by /)`;
}
