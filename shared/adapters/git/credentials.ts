// HTTP credentials for Git, with source-controller's rules: password needs a username, basic auth and
// a bearer token are exclusive, and nothing is sent over plain HTTP except to this machine (loopback).
import { SluiceError } from '../../core/errors.ts';
import { classifyIp, parseIp } from '../../core/net/ip-address.ts';
import type { GitCredentials } from '../../ports/git-source.ts';
import { parseGitUrl } from './git-url.ts';

export interface HttpAuth {
  headers: Record<string, string>;
}

export function httpAuth(url: string, creds: GitCredentials | undefined): HttpAuth {
  const parsed = parseGitUrl(url);
  const username = creds?.username || decodeURIComponent(parsed.username);
  const password = creds?.password || decodeURIComponent(parsed.password);
  const bearer = creds?.bearerToken;
  const fail = (message: string): never => {
    throw new SluiceError('GitAuthFailed', `${message}; fix the Secret named in spec.secretRef`, {
      field: 'spec.secretRef',
    });
  };
  if (password && !username) fail("invalid 'https' auth option: 'password' requires 'username' to be set");
  if (bearer && (username || password)) fail('basic auth and bearer token cannot be set at the same time');
  const hasAuth = Boolean(bearer || username);
  if (hasAuth && parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
    fail(`credentials cannot be sent over plain HTTP to ${parsed.host}; use an https:// URL`);
  }
  if (bearer) return { headers: { Authorization: `Bearer ${bearer}` } };
  if (username) {
    return {
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    };
  }
  return { headers: {} };
}

/** An IP literal of this machine, or `localhost`; `127.example.com` is a name like any other. */
function isLoopback(host: string): boolean {
  const ip = parseIp(host);
  return host === 'localhost' || (ip !== undefined && classifyIp(ip) === 'loopback');
}
