// Picks a chart version from candidates (OCI tags) as Flux does: empty or `*` = the newest stable
// version; otherwise the newest one the Masterminds-style range admits. Helm writes `+` as `_` in tags.
import semver from 'semver';
import { SluiceError } from '../errors.ts';
import { parseRange, parseTagVersion } from '../git/semver-range.ts';

export interface VersionCandidate {
  /** As stored (the OCI tag). */
  tag: string;
  /** The chart version the tag stands for (`_` read as `+`). */
  version: string;
  /** Normalised semver, for comparisons. */
  semver: string;
}

/** Tags that are versions (`1.2.3`, `v1.2.3`, `1.2.3_build` for `1.2.3+build`), newest first. */
export function versionTags(tags: readonly string[]): VersionCandidate[] {
  const out: VersionCandidate[] = [];
  for (const tag of tags) {
    const version = tag.replace('_', '+');
    const normalized = parseTagVersion(version);
    if (normalized !== undefined) out.push({ tag, version, semver: normalized });
  }
  return out.sort((a, b) => semver.rcompare(a.semver, b.semver) || (a.tag < b.tag ? 1 : -1));
}

/** The newest candidate within `range`; ArtifactNotFound naming the range and the newest seen. */
export function selectVersion(
  candidates: readonly VersionCandidate[],
  range: string,
  what: string,
): VersionCandidate {
  const wanted = range.trim() === '' ? '*' : range.trim();
  const matcher = parseRange(wanted);
  if (matcher === undefined) {
    throw new SluiceError(
      'ValidationFailed',
      `version ${JSON.stringify(range)} of ${what} is not a semver range`,
      {
        field: 'spec.version',
      },
    );
  }
  const found = candidates.find((c) => matcher.test(c.semver));
  if (found) return found;
  const newest = candidates.slice(0, 5).map((c) => c.version);
  throw new SluiceError(
    'ArtifactNotFound',
    `no version of ${what} matches ${JSON.stringify(wanted)}; newest versions: ${newest.length > 0 ? newest.join(', ') : 'none'}`,
  );
}

/** An exact version (not a range) is used as the tag directly, as Flux does for OCI charts. */
export function isExactVersion(range: string): boolean {
  return parseTagVersion(range.trim()) !== undefined;
}
