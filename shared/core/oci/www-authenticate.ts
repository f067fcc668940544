// Parses a registry's `WWW-Authenticate` challenge (RFC 7235 auth-params): the scheme and its parameters,
// as the token flow needs them (`Bearer realm="…",service="…",scope="…"`).

export interface AuthChallenge {
  /** Lower case: `bearer`, `basic`, … */
  scheme: string;
  params: Record<string, string>;
}

/** The first challenge in the header, or undefined when there is none. */
export function parseChallenge(header: string | undefined): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s*(.*)$/s.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const params: Record<string, string> = {};
  const pair = /([A-Za-z][A-Za-z0-9._-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/g;
  const text = match[2] ?? '';
  for (let m = pair.exec(text); m; m = pair.exec(text)) {
    const key = (m[1] as string).toLowerCase();
    params[key] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme: match[1].toLowerCase(), params };
}
