// Validates a raw GitRepository object into the typed API, with every problem named by field.
import type { FieldReader } from './field-reader.ts';
import {
  GIT_REF_FIELDS,
  GIT_REPOSITORY_SPEC_FIELDS,
  OBJECT_FIELDS,
  SECRET_REF_FIELDS,
} from './flux-fields.ts';
import { GIT_REPOSITORY_API, type GitRepository, type GitRepositoryRef } from './git-repository.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

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
  r.knownFields(raw, '', OBJECT_FIELDS);
  const spec = r.object(raw, 'spec', 'spec', true);
  r.knownFields(spec, 'spec', GIT_REPOSITORY_SPEC_FIELDS);
  const url = readUrl(spec, r);
  const refRaw = r.object(spec, 'ref', 'spec.ref');
  r.knownFields(refRaw, 'spec.ref', GIT_REF_FIELDS);
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
  r.knownFields(secretRefRaw, 'spec.secretRef', SECRET_REF_FIELDS);
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
  const problem = unsupportedUrl(url);
  if (problem) {
    r.fail('spec.url', problem);
    return undefined;
  }
  return url;
}

/** Why Sluice cannot fetch this URL (with what to write instead), or undefined when it can. */
export function unsupportedUrl(url: string): string | undefined {
  const https =
    "use the repository's https:// URL, with a username and token in a Secret named in spec.secretRef for a private one";
  if (/^ssh:\/\//i.test(url)) return `ssh:// URLs are not supported by Sluice yet; ${https}`;
  // scp-like `git@host:org/repo.git`: what `git clone` accepts and Flux's own pattern refuses.
  if (SCP_LIKE.test(url)) {
    const [, host, path] = SCP_LIKE.exec(url) ?? [];
    return `SSH addresses like "git@${host}:…" are not supported by Sluice yet; use https://${host}/${path} (with a username and token in a Secret named in spec.secretRef for a private repository)`;
  }
  // Echo the value, but never what could be a password in front of an '@'.
  const shown = JSON.stringify(url.replace(/^[^/@]*:[^/]*@/, '***@'));
  // The literal prefix, as Flux's pattern: `https:user:pw@host` parses as a URL but is no http(s):// URL.
  if (!/^https?:\/\//i.test(url)) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
    return `expected an http:// or https:// URL, got ${shown}${scheme ? `: ${scheme}:// URLs are not supported` : ''}`;
  }
  if (!URL.canParse(url))
    return `expected an https:// URL such as "https://github.com/org/fleet.git", got ${shown}, which is not a valid URL`;
  return undefined;
}

const SCP_LIKE = /^[\w.-]+@([\w.-]+):\/?(?!\/)(.*)$/;

export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
