// Semver the way source-controller reads it (fluxcd/pkg/version over Masterminds semver v3): tags are
// `[v]MAJOR.MINOR.PATCH[-pre][+build]` (leading zeros tolerated), ranges are `||`-separated groups of
// comma- or space-separated terms including `!=`, and a prerelease anywhere in a group admits prereleases.
import semver from 'semver';

const TAG = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

/** The normalised version of a tag, or undefined when the tag is not a version. */
export function parseTagVersion(tag: string): string | undefined {
  const match = TAG.exec(tag.startsWith('v') ? tag.slice(1) : tag);
  if (!match) return undefined;
  const [, major, minor, patch, pre, build] = match;
  const version = `${Number(major)}.${Number(minor)}.${Number(patch)}${pre ? `-${pre}` : ''}${build ? `+${build}` : ''}`;
  return semver.valid(version) ?? undefined;
}

export interface SemverRange {
  test(version: string): boolean;
}

/** undefined when the range does not parse. */
export function parseRange(range: string): SemverRange | undefined {
  const groups = range.split('||').map((group) =>
    group
      .trim()
      .replace(/([<>=!~^]+)\s+/g, '$1')
      .split(/[\s,]+/)
      .filter(Boolean),
  );
  if (groups.some((g) => g.length === 0)) return undefined;
  const parsed = groups.map((terms) => {
    const allowPrerelease = terms.some((t) => /-[0-9A-Za-z]/.test(t.replace(/^[<>=!~^]+/, '')));
    const checks = terms.map((term) => {
      if (term.startsWith('!=')) {
        const v = parseTagVersion(term.slice(2));
        return v === undefined ? undefined : (version: string) => !semver.eq(version, v);
      }
      const normalized = term.replace(/^([<>=~^]*)v/, '$1');
      if (semver.validRange(normalized) === null) return undefined;
      return (version: string) =>
        semver.satisfies(version, normalized, { includePrerelease: allowPrerelease });
    });
    if (checks.some((c) => c === undefined)) return undefined;
    return { allowPrerelease, checks: checks as ((v: string) => boolean)[] };
  });
  if (parsed.some((g) => g === undefined)) return undefined;
  return {
    test: (version) =>
      parsed.some(
        (g) =>
          g !== undefined &&
          (g.allowPrerelease || semver.prerelease(version) === null) &&
          g.checks.every((check) => check(version)),
      ),
  };
}
