// Validates a raw GitRepository object into the typed API, with every problem named by field.
import type { FieldReader } from './field-reader.ts';
import { GIT_REPOSITORY_API, type GitRepository, type GitRepositoryRef } from './git-repository.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

const URL_PATTERN = /^(http|https|ssh):\/\/.*$/;
/** An http(s) URL whose authority carries userinfo (`user@` or `user:password@`). */
const HTTP_USERINFO = /^https?:\/\/[^/?#]*@/i;
const TIMEOUT_PATTERN = /^([0-9]+(\.[0-9]+)?(ms|s|m))+$/;
const COMMIT_PATTERN = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

export function decodeGitRepository(
  raw: Record<string, unknown>,
  metadata: ObjectMeta,
  source: SourceLocation,
  r: FieldReader,
): GitRepository {
  const spec = r.object(raw, 'spec', 'spec', true);
  const url = readUrl(spec, r);
  if (url?.startsWith('ssh://')) {
    r.fail(
      'spec.url',
      'ssh:// URLs are not supported by Sluice yet; use the https:// URL with spec.secretRef',
    );
  }
  const refRaw = r.object(spec, 'ref', 'spec.ref');
  const ref: GitRepositoryRef | undefined = refRaw && {
    branch: r.string(refRaw, 'branch', 'spec.ref.branch'),
    tag: r.string(refRaw, 'tag', 'spec.ref.tag'),
    semver: r.string(refRaw, 'semver', 'spec.ref.semver'),
    name: r.string(refRaw, 'name', 'spec.ref.name'),
    commit: r.string(refRaw, 'commit', 'spec.ref.commit', {
      pattern: COMMIT_PATTERN,
      patternHint: 'a full 40-character (SHA-1) or 64-character (SHA-256) lowercase commit hash',
    }),
  };
  const intervalMs = r.duration(spec, 'interval', 'spec.interval', true) ?? 0;
  const timeoutText = r.string(spec, 'timeout', 'spec.timeout', {
    pattern: TIMEOUT_PATTERN,
    patternHint: 'a duration in ms, s or m such as "60s"',
  });
  const secretRefRaw = r.object(spec, 'secretRef', 'spec.secretRef');
  const secretName =
    secretRefRaw && r.string(secretRefRaw, 'name', 'spec.secretRef.name', { required: true });
  return {
    kind: 'GitRepository',
    apiVersion: GIT_REPOSITORY_API,
    metadata,
    spec: {
      url: url ?? '',
      ...(ref && { ref: dropUndefined(ref) }),
      intervalMs,
      timeoutMs: timeoutText ? (r.duration(spec, 'timeout', 'spec.timeout') ?? 60_000) : 60_000,
      ...(secretName && { secretRef: { name: secretName } }),
      ...optional('ignore', r.string(spec, 'ignore', 'spec.ignore')),
      suspend: r.boolean(spec, 'suspend', 'spec.suspend') ?? false,
    },
    source,
  };
}

/**
 * spec.url without credentials in it: a `user:password@` URL would be stored, shown in status and sent
 * along every redirect, so it is refused (without echoing it) in favour of spec.secretRef.
 */
function readUrl(spec: Record<string, unknown> | undefined, r: FieldReader): string | undefined {
  const url = r.string(spec, 'url', 'spec.url', { required: true });
  if (url === undefined || url === '') return url;
  if (HTTP_USERINFO.test(url)) {
    r.fail(
      'spec.url',
      'must not contain credentials (user:password@); remove them from the URL and put username and password in a Secret named in spec.secretRef',
    );
    return undefined;
  }
  if (!URL_PATTERN.test(url)) {
    // Echo the value, but never what could be a password in front of an '@'.
    const shown = url.replace(/^[^/@]*:[^/]*@/, '***@');
    r.fail('spec.url', `expected an http://, https:// or ssh:// URL, got ${JSON.stringify(shown)}`);
  }
  return url;
}

export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
