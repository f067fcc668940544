// Where a redirect may lead a Git HTTP request, and what travels with it: only http(s), never from https
// down to plain http, at most a few hops, and credentials only while the origin stays the same.
import { SluiceError } from '../errors.ts';
import { redactUrl } from '../git/select-ref.ts';

export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface Hop {
  url: URL;
  /** False once the request has left the origin it started at: credentials are dropped from then on. */
  sameOrigin: boolean;
  /** 303 (and 301/302 after a POST) turn the request into a body-less GET, as browsers and curl do. */
  method: string;
}

export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

export function nextHop(
  start: URL,
  current: URL,
  method: string,
  status: number,
  location: string,
  hops: number,
): Hop {
  if (hops >= MAX_REDIRECTS) {
    throw new SluiceError(
      'GitFetchFailed',
      `fetching ${redactUrl(start.origin)} was redirected more than ${MAX_REDIRECTS} times; fix spec.url to point at the repository itself`,
      { field: 'spec.url' },
    );
  }
  let url: URL;
  try {
    url = new URL(location, current);
  } catch {
    throw new SluiceError(
      'GitFetchFailed',
      `${redactUrl(current.origin)} sent a redirect that is not a URL`,
      {
        field: 'spec.url',
      },
    );
  }
  // Never take credentials from a redirect: they would go wherever the server chose.
  url.username = '';
  url.password = '';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SluiceError(
      'SourceAddressRefused',
      `${redactUrl(current.origin)} redirected to a ${url.protocol} URL; only http(s) redirects are followed`,
      { field: 'spec.url' },
    );
  }
  if (current.protocol === 'https:' && url.protocol === 'http:') {
    throw new SluiceError(
      'SourceAddressRefused',
      `${redactUrl(current.origin)} redirected from https to plain http (${url.origin}); a downgrade is never followed, fix spec.url or the server`,
      { field: 'spec.url' },
    );
  }
  const post = method !== 'GET' && method !== 'HEAD';
  const toGet = status === 303 || (post && (status === 301 || status === 302));
  return { url, sameOrigin: url.origin === start.origin, method: toGet ? 'GET' : method };
}
