// Picks the remote ref a GitRepository points at, with source-controller's precedence (commit > name >
// tag > semver > branch; no ref means branch master) and its revision strings. Pure: refs in, choice out.
import semver from 'semver';
import type { GitRepositoryRef } from '../../api/git-repository.ts';
import { SluiceError } from '../errors.ts';
import { parseRange, parseTagVersion } from './semver-range.ts';

export interface RemoteRef {
  ref: string;
  oid: string;
  /** For annotated tags: the commit the tag points at. */
  peeled?: string;
}

export interface RefChoice {
  /** Full remote ref to fetch, or the commit itself for commit-only refs. */
  remoteRef: string;
  commit: string;
  /** Revision prefix before `@sha1:` ('' for a bare commit). */
  revisionName: string;
}

export const DEFAULT_BRANCH = 'master';

export function selectRef(ref: GitRepositoryRef | undefined, remote: RemoteRef[], url: string): RefChoice {
  const byName = new Map(remote.map((r) => [r.ref, r]));
  const commitOf = (r: RemoteRef) => r.peeled ?? r.oid;
  const notFound = (what: string, fix: string): never => {
    throw new SluiceError('GitRefNotFound', `${what} not found in ${redactUrl(url)}; ${fix}`, {
      field: 'spec.ref',
    });
  };
  if (ref?.commit) {
    // A commit, optionally qualified by the branch it lives on (revision `<branch>@sha1:<commit>`).
    return { remoteRef: ref.commit, commit: ref.commit, revisionName: ref.branch ?? '' };
  }
  if (ref?.name) {
    const found =
      byName.get(ref.name) ??
      notFound(`reference '${ref.name}'`, 'use a full reference such as refs/heads/main');
    return { remoteRef: found.ref, commit: commitOf(found), revisionName: ref.name };
  }
  if (ref?.tag) {
    const found =
      byName.get(`refs/tags/${ref.tag}`) ?? notFound(`tag '${ref.tag}'`, 'push the tag or fix spec.ref.tag');
    return { remoteRef: found.ref, commit: commitOf(found), revisionName: ref.tag };
  }
  if (ref?.semver) return selectSemver(ref.semver, remote, url);
  const branch = ref?.branch || DEFAULT_BRANCH;
  const found =
    byName.get(`refs/heads/${branch}`) ??
    notFound(
      `branch '${branch}'`,
      ref?.branch
        ? 'push the branch or fix spec.ref.branch'
        : 'set spec.ref.branch (Flux defaults to master)',
    );
  return { remoteRef: found.ref, commit: commitOf(found), revisionName: branch };
}

/** Highest tag satisfying the range (Masterminds rules, see semver-range.ts). */
export function selectSemver(range: string, remote: RemoteRef[], url: string): RefChoice {
  const parsed = parseRange(range);
  if (!parsed) {
    throw new SluiceError(
      'GitRefNotFound',
      `semver parse error: spec.ref.semver ${JSON.stringify(range)} is not a valid range`,
      {
        field: 'spec.ref.semver',
      },
    );
  }
  let best: { tag: RemoteRef; name: string; version: string } | undefined;
  for (const r of remote) {
    if (!r.ref.startsWith('refs/tags/') || r.ref.endsWith('^{}')) continue;
    const name = r.ref.slice('refs/tags/'.length);
    const version = parseTagVersion(name);
    if (!version || !parsed.test(version)) continue;
    // Ties (v1.0.0 and 1.0.0) go to the later tag name, deterministically.
    const cmp = best ? semver.compare(version, best.version) : 1;
    if (!best || cmp > 0 || (cmp === 0 && name > best.name)) best = { tag: r, name, version };
  }
  if (!best) {
    throw new SluiceError(
      'GitRefNotFound',
      `no match found for semver: ${range} in ${redactUrl(url)}; push a matching tag or widen spec.ref.semver`,
      {
        field: 'spec.ref.semver',
      },
    );
  }
  return { remoteRef: best.tag.ref, commit: best.tag.peeled ?? best.tag.oid, revisionName: best.name };
}

export function revisionString(choice: { revisionName: string }, commit: string): string {
  const algo = commit.length === 64 ? 'sha256' : 'sha1';
  return choice.revisionName ? `${choice.revisionName}@${algo}:${commit}` : `${algo}:${commit}`;
}

/** URLs may carry credentials (https://user:token@host); never let them reach a message or log. */
export function redactUrl(url: string): string {
  // Greedy up to the last '@' of the authority: a password may itself contain '@'.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1***@');
}
