// The release name helm-controller gives a HelmRelease: spec.releaseName, else `[<targetNamespace>-]<name>`,
// shortened past 53 characters exactly as release.ShortenName does (its own test's outputs).
import { describe, expect, it } from 'vitest';
import { releaseNameOf, shortenName } from '../../../../shared/core/helm/release-name.ts';

describe('shortenName', () => {
  // helm-controller internal/release/name_test.go TestShortName.
  it.each([
    ['release-name', 'release-name'],
    [
      'release-name-with-very-long-name-which-is-longer-than-53-characters',
      'release-name-with-very-long-name-which-i-788ca0d0d7b0',
    ],
    [
      'another-release-name-with-very-long-name-which-is-longer-than-53-characters',
      'another-release-name-with-very-long-name-7e72150d5a36',
    ],
    ['', ''],
  ])('%j → %j', (name, expected) => {
    const short = shortenName(name);
    expect(short).toBe(expected);
    expect(short.length).toBeLessThanOrEqual(53);
  });

  it('keeps a name of exactly 53 characters', () => {
    const name = 'a'.repeat(53);
    expect(shortenName(name)).toBe(name);
    expect(shortenName(`${name}b`)).toMatch(/^a{40}-[0-9a-f]{12}$/);
  });
});

describe('releaseNameOf', () => {
  const hr = (name: string, spec: { releaseName?: string; targetNamespace?: string }) => ({
    metadata: { name },
    spec,
  });

  it.each([
    ['the HelmRelease name', hr('podinfo', {}), 'podinfo'],
    ['targetNamespace-name', hr('podinfo', { targetNamespace: 'apps' }), 'apps-podinfo'],
    [
      'spec.releaseName over the default',
      hr('podinfo', { releaseName: 'web', targetNamespace: 'apps' }),
      'web',
    ],
    [
      'the default shortened past 53 characters',
      hr('with-very-long-name-which-is-longer-than-53-characters', { targetNamespace: 'release-name' }),
      'release-name-with-very-long-name-which-i-788ca0d0d7b0',
    ],
  ])('%s', (_, input, expected) => {
    expect(releaseNameOf(input)).toBe(expected);
  });
});
