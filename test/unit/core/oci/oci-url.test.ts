import { describe, expect, it } from 'vitest';
import { assertReference, parseOciUrl } from '../../../../shared/core/oci/oci-url.ts';
import { errorOf } from '../../../support/error-of.ts';

describe('parseOciUrl', () => {
  it.each([
    ['oci://ghcr.io/stefanprodan/manifests/podinfo', 'ghcr.io', 'stefanprodan/manifests/podinfo'],
    ['oci://127.0.0.1:5000/fleet', '127.0.0.1:5000', 'fleet'],
    ['oci://Registry.Example.com/a/b_c/d-e/', 'registry.example.com', 'a/b_c/d-e'],
  ])('splits %s into host and repository', (url, host, repository) => {
    expect(parseOciUrl(url)).toEqual({ host, repository });
  });

  it.each([
    ['https://ghcr.io/org/app', 'is not an oci:// URL'],
    ['oci://ghcr.io', 'names no repository'],
    ['oci://ghcr.io/org/app:v1', 'names a tag or digest'],
    ['oci://ghcr.io/org/app@sha256:abc', 'names a tag or digest'],
    ['oci://ghcr.io/Org/App', 'repository name the registry API does not allow'],
    ['oci://ghcr.io/org/../app', 'repository name the registry API does not allow'],
    ['oci://user:secret@ghcr.io/org/app', 'carries credentials'],
  ])('refuses %s', (url, why) => {
    const err = errorOf(() => parseOciUrl(url));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain(why);
    expect(err.message).not.toContain('user:secret');
  });
});

describe('assertReference', () => {
  it.each(['latest', 'v1.2.3', '1.0.0_build.1', `sha256:${'a'.repeat(64)}`])('accepts %s', (ref) => {
    expect(() => assertReference(ref, 'spec.ref')).not.toThrow();
  });
  it.each(['', '../x', `sha512:${'a'.repeat(128)}`, 'a/b', `-x`])('refuses %j', (ref) => {
    expect(errorOf(() => assertReference(ref, 'spec.ref')).code).toBe('ValidationFailed');
  });
});
