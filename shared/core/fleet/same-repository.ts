// Whether two clone URLs name one repository, as a Flux user writes them: `ssh://git@host/org/fleet`,
// `git@host:org/fleet.git` and `https://host/org/fleet` are the same fleet; credentials never count.

export function sameRepository(a: string, b: string): boolean {
  const x = repositoryIdentity(a);
  return x !== '' && x === repositoryIdentity(b);
}

/** `host[:port]/path` in lower case, without user, scheme, `.git` or a trailing slash. */
export function repositoryIdentity(url: string): string {
  const trimmed = url.trim();
  // scp-like: git@github.com:org/fleet.git
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(trimmed);
  let hostPath: string;
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) hostPath = `${scp[1]}/${scp[2]}`;
  else {
    try {
      const u = new URL(trimmed);
      // Default ports say nothing: https://host:443/x is https://host/x.
      const port = u.port && !['22', '80', '443'].includes(u.port) ? `:${u.port}` : '';
      hostPath = `${u.hostname}${port}${u.pathname}`;
    } catch {
      return '';
    }
  }
  return hostPath
    .toLowerCase()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}
