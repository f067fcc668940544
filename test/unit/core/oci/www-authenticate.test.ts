import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../../../../shared/core/oci/www-authenticate.ts';

describe('parseChallenge', () => {
  it.each([
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:org/app:pull"',
      {
        scheme: 'bearer',
        params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:org/app:pull' },
      },
    ],
    ['Basic realm="Registry Realm"', { scheme: 'basic', params: { realm: 'Registry Realm' } }],
    [
      'bearer Realm=https://x/t, service=x',
      { scheme: 'bearer', params: { realm: 'https://x/t', service: 'x' } },
    ],
    ['Bearer realm="a\\"b"', { scheme: 'bearer', params: { realm: 'a"b' } }],
  ])('reads %s', (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });

  it('is undefined without a header', () => {
    expect(parseChallenge(undefined)).toBeUndefined();
    expect(parseChallenge('')).toBeUndefined();
  });
});
