// The identity of a Git repository for caches: its URL without credentials, in WHATWG's canonical spelling.
// Object stores and snapshots are keyed by it (with the commit), so one repository never serves another.

/**
 * `https://Host:443/org/repo.git` and `https://user@host/org/repo.git` both give `https://host/org/repo.git`.
 * Paths are kept as written: only the server knows whether `/repo` and `/repo/` are one repository.
 */
export function repositoryKey(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/** Names a snapshot: the same commit with the same ignore rules, fetched from the same repository. */
export function snapshotIdentity(repoKey: string, commit: string, ignore: string | undefined): string {
  return `${repoKey}\0${commit}\0${ignore ?? ''}`;
}
