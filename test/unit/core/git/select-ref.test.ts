// source-controller's ref selection (commit > name > tag > semver > branch, default master), its semver
// rules (Masterminds/semver v3 via fluxcd/pkg/version), revision strings, and URL credential redaction.
import { describe, expect, it } from 'vitest';
import type { GitRepositoryRef } from '../../../../shared/api/git-repository.ts';
import {
  type RemoteRef,
  redactUrl,
  revisionString,
  selectRef,
  selectSemver,
} from '../../../../shared/core/git/select-ref.ts';
import { errorOf } from '../../../support/error-of.ts';

const sha = (c: string) => c.repeat(40);
const MASTER = sha('1');
const MAIN = sha('2');
const FEATURE = sha('3');
const TAG_OBJECT = sha('4');
const TAGGED_COMMIT = sha('5');
const LIGHT = sha('6');
const PINNED = sha('7');
const PR_HEAD = sha('8');

const URL = 'https://git.example.com/fleet.git';

const REMOTE: RemoteRef[] = [
  { ref: 'HEAD', oid: MAIN },
  { ref: 'refs/heads/master', oid: MASTER },
  { ref: 'refs/heads/main', oid: MAIN },
  { ref: 'refs/heads/feature/x', oid: FEATURE },
  { ref: 'refs/tags/v1.0.0', oid: TAG_OBJECT, peeled: TAGGED_COMMIT },
  { ref: 'refs/tags/light', oid: LIGHT },
  { ref: 'refs/pull/42/head', oid: PR_HEAD },
];

describe('selectRef', () => {
  const cases: {
    name: string;
    ref: GitRepositoryRef | undefined;
    remoteRef: string;
    commit: string;
    revision: string;
  }[] = [
    {
      name: 'no ref checks out branch master',
      ref: undefined,
      remoteRef: 'refs/heads/master',
      commit: MASTER,
      revision: `master@sha1:${MASTER}`,
    },
    {
      name: 'an empty ref checks out branch master',
      ref: {},
      remoteRef: 'refs/heads/master',
      commit: MASTER,
      revision: `master@sha1:${MASTER}`,
    },
    {
      name: 'an empty branch falls back to master',
      ref: { branch: '' },
      remoteRef: 'refs/heads/master',
      commit: MASTER,
      revision: `master@sha1:${MASTER}`,
    },
    {
      name: 'a branch',
      ref: { branch: 'main' },
      remoteRef: 'refs/heads/main',
      commit: MAIN,
      revision: `main@sha1:${MAIN}`,
    },
    {
      name: 'a branch with a slash',
      ref: { branch: 'feature/x' },
      remoteRef: 'refs/heads/feature/x',
      commit: FEATURE,
      revision: `feature/x@sha1:${FEATURE}`,
    },
    {
      name: 'an annotated tag resolves to the tagged commit',
      ref: { tag: 'v1.0.0' },
      remoteRef: 'refs/tags/v1.0.0',
      commit: TAGGED_COMMIT,
      revision: `v1.0.0@sha1:${TAGGED_COMMIT}`,
    },
    {
      name: 'a lightweight tag',
      ref: { tag: 'light' },
      remoteRef: 'refs/tags/light',
      commit: LIGHT,
      revision: `light@sha1:${LIGHT}`,
    },
    {
      name: 'tag wins over branch',
      ref: { branch: 'main', tag: 'light' },
      remoteRef: 'refs/tags/light',
      commit: LIGHT,
      revision: `light@sha1:${LIGHT}`,
    },
    {
      name: 'tag wins over semver',
      ref: { tag: 'light', semver: '*' },
      remoteRef: 'refs/tags/light',
      commit: LIGHT,
      revision: `light@sha1:${LIGHT}`,
    },
    {
      name: 'semver wins over branch',
      ref: { branch: 'main', semver: '1.x' },
      remoteRef: 'refs/tags/v1.0.0',
      commit: TAGGED_COMMIT,
      revision: `v1.0.0@sha1:${TAGGED_COMMIT}`,
    },
    {
      name: 'name keeps the full reference in the revision',
      ref: { name: 'refs/heads/main' },
      remoteRef: 'refs/heads/main',
      commit: MAIN,
      revision: `refs/heads/main@sha1:${MAIN}`,
    },
    {
      name: 'name may be a pull request head',
      ref: { name: 'refs/pull/42/head' },
      remoteRef: 'refs/pull/42/head',
      commit: PR_HEAD,
      revision: `refs/pull/42/head@sha1:${PR_HEAD}`,
    },
    {
      name: 'name peels an annotated tag',
      ref: { name: 'refs/tags/v1.0.0' },
      remoteRef: 'refs/tags/v1.0.0',
      commit: TAGGED_COMMIT,
      revision: `refs/tags/v1.0.0@sha1:${TAGGED_COMMIT}`,
    },
    {
      name: 'name wins over tag, semver and branch',
      ref: { name: 'refs/heads/feature/x', tag: 'light', semver: '*', branch: 'main' },
      remoteRef: 'refs/heads/feature/x',
      commit: FEATURE,
      revision: `refs/heads/feature/x@sha1:${FEATURE}`,
    },
    {
      name: 'a commit alone has a bare revision',
      ref: { commit: PINNED },
      remoteRef: PINNED,
      commit: PINNED,
      revision: `sha1:${PINNED}`,
    },
    {
      name: 'a commit on a branch is qualified by the branch',
      ref: { commit: PINNED, branch: 'main' },
      remoteRef: PINNED,
      commit: PINNED,
      revision: `main@sha1:${PINNED}`,
    },
    {
      name: 'commit wins over name and tag',
      ref: { commit: PINNED, name: 'refs/heads/main', tag: 'light' },
      remoteRef: PINNED,
      commit: PINNED,
      revision: `sha1:${PINNED}`,
    },
    {
      name: 'a SHA-256 commit',
      ref: { commit: 'a'.repeat(64) },
      remoteRef: 'a'.repeat(64),
      commit: 'a'.repeat(64),
      revision: `sha256:${'a'.repeat(64)}`,
    },
  ];
  it.each(cases)('$name', (c) => {
    const choice = selectRef(c.ref, REMOTE, URL);
    expect({ remoteRef: choice.remoteRef, commit: choice.commit }).toEqual({
      remoteRef: c.remoteRef,
      commit: c.commit,
    });
    expect(revisionString(choice, choice.commit)).toBe(c.revision);
  });

  const missing: {
    name: string;
    ref: GitRepositoryRef | undefined;
    remote?: RemoteRef[];
    message: string;
  }[] = [
    {
      name: 'a missing branch',
      ref: { branch: 'nope' },
      message: `branch 'nope' not found in ${URL}; push the branch or fix spec.ref.branch`,
    },
    {
      name: 'a missing default branch names the master default',
      ref: undefined,
      remote: REMOTE.filter((r) => r.ref !== 'refs/heads/master'),
      message: `branch 'master' not found in ${URL}; set spec.ref.branch (Flux defaults to master)`,
    },
    {
      name: 'a missing tag',
      ref: { tag: 'v9' },
      message: `tag 'v9' not found in ${URL}; push the tag or fix spec.ref.tag`,
    },
    {
      name: 'a short name (name needs a full reference)',
      ref: { name: 'main' },
      message: `reference 'main' not found in ${URL}; use a full reference such as refs/heads/main`,
    },
  ];
  it.each(missing)('reports $name as GitRefNotFound', (c) => {
    expect(errorOf(() => selectRef(c.ref, c.remote ?? REMOTE, URL))).toEqual({
      code: 'GitRefNotFound',
      message: c.message,
    });
  });

  it('never puts the credentials of the URL in the message', () => {
    const err = errorOf(() =>
      selectRef({ branch: 'nope' }, REMOTE, 'https://flux:ghp_s3cr3tT0ken@github.com/org/fleet.git'),
    );
    expect(err.message).toBe(
      "branch 'nope' not found in https://***@github.com/org/fleet.git; push the branch or fix spec.ref.branch",
    );
    expect(err.message).not.toContain('s3cr3t');
  });
});

describe('selectSemver', () => {
  const tags = (...names: string[]): RemoteRef[] =>
    names.map((n, i) => ({ ref: `refs/tags/${n}`, oid: sha((i % 10).toString()) }));
  const cases: { name: string; tags: string[]; range: string; want: string }[] = [
    {
      name: 'picks the highest matching version',
      tags: ['v1.0.0', 'v1.2.0', 'v1.1.0', 'v2.0.0'],
      range: '1.x',
      want: 'v1.2.0',
    },
    {
      name: 'strips a leading v and also accepts tags without one',
      tags: ['v1.0.0', '1.1.0'],
      range: '>=1.0.0',
      want: '1.1.0',
    },
    {
      name: 'skips tags that are not full semver',
      tags: ['v1.0.0', 'v1.3', '2', 'release-1.4.0', 'latest', 'v1.2.3.4'],
      range: '*',
      want: 'v1.0.0',
    },
    {
      name: 'accepts zero-padded calendar versions, as fluxcd/pkg/version does',
      tags: ['v2024.12.01', 'v2025.02.03', 'v2025.10.1'],
      range: '>=2025.1.0 <2025.5.0',
      want: 'v2025.02.03',
    },
    {
      name: 'skips tags with more than one leading v',
      tags: ['v1.0.0', 'vv1.5.0'],
      range: '*',
      want: 'v1.0.0',
    },
    { name: 'skips peeled ^{} entries', tags: ['v1.0.0', 'v1.0.0^{}'], range: '1.0.0', want: 'v1.0.0' },
    {
      name: 'excludes prereleases when the range has none',
      tags: ['v1.0.0', 'v1.1.0-rc.1'],
      range: '>=1.0.0',
      want: 'v1.0.0',
    },
    {
      name: 'includes prereleases when the range has one',
      tags: ['v1.0.0', 'v1.1.0-rc.1', 'v1.1.0-rc.2'],
      range: '>=1.1.0-rc.0',
      want: 'v1.1.0-rc.2',
    },
    {
      name: 'a prerelease in the range admits prereleases of other versions too (Masterminds, not npm, rules)',
      tags: ['v1.0.0-rc.1', 'v1.1.0-rc.1'],
      range: '>=1.0.0-rc.0',
      want: 'v1.1.0-rc.1',
    },
    {
      name: 'a release beats its prereleases',
      tags: ['v1.1.0-rc.1', 'v1.1.0'],
      range: '>=1.1.0-rc.0',
      want: 'v1.1.0',
    },
    {
      name: 'accepts comma-separated AND ranges',
      tags: ['v1.0.0', 'v1.5.0', 'v2.0.0'],
      range: '>=1.0.0, <2.0.0',
      want: 'v1.5.0',
    },
    { name: 'accepts || ranges', tags: ['v1.0.0', 'v3.0.0', 'v4.0.0'], range: '1.x || 3.x', want: 'v3.0.0' },
    {
      name: 'accepts tilde and caret ranges',
      tags: ['v1.2.3', 'v1.2.9', 'v1.3.0'],
      range: '~1.2.0',
      want: 'v1.2.9',
    },
    { name: 'accepts caret on 0.x', tags: ['v0.2.3', 'v0.2.9', 'v0.3.0'], range: '^0.2.3', want: 'v0.2.9' },
    {
      name: 'accepts != (Masterminds operator)',
      tags: ['v1.0.0', 'v1.1.0', 'v1.2.0'],
      range: '>=1.0.0, !=1.2.0',
      want: 'v1.1.0',
    },
    {
      name: 'build metadata does not stop a match',
      tags: ['v1.0.0', 'v1.0.1+build.5'],
      range: '~1.0.0',
      want: 'v1.0.1+build.5',
    },
  ];
  it.each(cases)('$name', (c) => {
    expect(selectSemver(c.range, tags(...c.tags), URL).revisionName).toBe(c.want);
  });

  it('resolves an annotated tag to the tagged commit', () => {
    const remote: RemoteRef[] = [
      { ref: 'refs/tags/v1.0.0', oid: TAG_OBJECT, peeled: TAGGED_COMMIT },
      { ref: 'refs/tags/v1.0.0^{}', oid: TAGGED_COMMIT },
    ];
    const choice = selectSemver('1.x', remote, URL);
    expect(choice).toEqual({ remoteRef: 'refs/tags/v1.0.0', commit: TAGGED_COMMIT, revisionName: 'v1.0.0' });
    expect(revisionString(choice, choice.commit)).toBe(`v1.0.0@sha1:${TAGGED_COMMIT}`);
  });

  it('ignores branches that look like versions', () => {
    const remote: RemoteRef[] = [...tags('v1.0.0'), { ref: 'refs/heads/v9.0.0', oid: MAIN }];
    expect(selectSemver('*', remote, URL).revisionName).toBe('v1.0.0');
  });

  it('reports a range nothing matches', () => {
    expect(
      errorOf(() => selectSemver('>=5.0.0', tags('v1.0.0'), 'https://u:p4ss@git.example.com/fleet.git')),
    ).toEqual({
      code: 'GitRefNotFound',
      message:
        'no match found for semver: >=5.0.0 in https://***@git.example.com/fleet.git; push a matching tag or widen spec.ref.semver',
    });
  });

  it('reports an unparseable range', () => {
    const err = errorOf(() => selectSemver('not a range', tags('v1.0.0'), URL));
    expect(err.code).toBe('GitRefNotFound');
    expect(err.message.startsWith('semver parse error: ')).toBe(true);
  });
});

describe('revisionString', () => {
  const cases: [string, string, string][] = [
    ['main', MAIN, `main@sha1:${MAIN}`],
    ['refs/heads/main', MAIN, `refs/heads/main@sha1:${MAIN}`],
    ['', PINNED, `sha1:${PINNED}`],
    ['v1.0.0', 'b'.repeat(64), `v1.0.0@sha256:${'b'.repeat(64)}`],
  ];
  it.each(cases)('%j with %s → %s', (revisionName, commit, want) => {
    expect(revisionString({ revisionName }, commit)).toBe(want);
  });
});

describe('redactUrl', () => {
  const cases: [string, string][] = [
    ['https://user:pw@git.example.com/fleet.git', 'https://***@git.example.com/fleet.git'],
    ['https://x-access-token:ghs_abc123@github.com/o/r', 'https://***@github.com/o/r'],
    ['http://token@git.example.com/fleet', 'http://***@git.example.com/fleet'],
    ['HTTPS://User:Pw@Host/x', 'HTTPS://***@Host/x'],
    ['ssh://git@github.com/org/repo', 'ssh://***@github.com/org/repo'],
    ['https://git.example.com/fleet.git', 'https://git.example.com/fleet.git'],
    ['https://git.example.com/org/repo@v1', 'https://git.example.com/org/repo@v1'],
    ['git@github.com:org/repo.git', 'git@github.com:org/repo.git'],
    ['https://user:p@ss@git.example.com/fleet.git', 'https://***@git.example.com/fleet.git'],
    ['https://user:p%40ss@git.example.com/fleet.git', 'https://***@git.example.com/fleet.git'],
  ];
  it.each(cases)('%s → %s', (url, want) => {
    expect(redactUrl(url)).toBe(want);
  });
});
