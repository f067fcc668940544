import { describe, expect, it } from 'vitest';
import {
  HELM_CHART_LAYER,
  ociRevision,
  planOciRef,
  selectSemverTag,
} from '../../../../shared/core/oci/select-oci-ref.ts';
import { errorOf } from '../../../support/error-of.ts';

const digest = `sha256:${'a'.repeat(64)}`;

describe('planOciRef (digest > semver > tag > latest)', () => {
  it.each([
    [undefined, { kind: 'tag', tag: 'latest' }],
    [{}, { kind: 'tag', tag: 'latest' }],
    [{ tag: 'v1' }, { kind: 'tag', tag: 'v1' }],
    [
      { tag: 'v1', semver: '1.x' },
      { kind: 'semver', range: '1.x', filter: undefined },
    ],
    [
      { semver: '1.x', semverFilter: '-rc' },
      { kind: 'semver', range: '1.x', filter: '-rc' },
    ],
    [
      { tag: 'v1', semver: '1.x', digest },
      { kind: 'digest', digest },
    ],
  ])('%j → %j', (ref, plan) => {
    expect(planOciRef(ref)).toEqual(plan);
  });
});

describe('selectSemverTag', () => {
  const tags = ['latest', '1.0.0', 'v1.2.0', '1.10.0-rc.1', '2.0.0', 'main-abc'];
  it.each([
    ['1.x', undefined, 'v1.2.0'],
    ['>=1.0.0', undefined, '2.0.0'],
    ['>=1.3.0-0 <2.0.0', undefined, '1.10.0-rc.1'],
    ['*', '^1\\.', '1.0.0'],
  ])('%s (filter %s) picks %s', (range, filter, tag) => {
    expect(selectSemverTag(tags, { range, filter }, undefined, 'oci://r/a')).toBe(tag);
  });

  it('maps _ back to + in Helm chart tags only', () => {
    const chartTags = ['1.0.0_build.1', '0.9.0'];
    expect(selectSemverTag(chartTags, { range: '>=0.1.0', filter: undefined }, HELM_CHART_LAYER, 'x')).toBe(
      '1.0.0_build.1',
    );
    expect(selectSemverTag(chartTags, { range: '>=0.1.0', filter: undefined }, undefined, 'x')).toBe('0.9.0');
  });

  it.each([
    ['>=3.0.0', undefined, 'ArtifactNotFound'],
    ['not a range', undefined, 'ValidationFailed'],
    ['*', '(', 'ValidationFailed'],
  ])('refuses %s (filter %s) with %s', (range, filter, code) => {
    expect(errorOf(() => selectSemverTag(tags, { range, filter }, undefined, 'x')).code).toBe(code);
  });
});

describe('ociRevision', () => {
  it('spells <tag>@<digest> for tags and semver, the digest alone for a digest ref', () => {
    expect(ociRevision({ kind: 'tag', tag: 'v1' }, 'v1', digest)).toBe(`v1@${digest}`);
    expect(ociRevision({ kind: 'semver', range: '1.x', filter: undefined }, '1.2.0', digest)).toBe(
      `1.2.0@${digest}`,
    );
    expect(ociRevision({ kind: 'digest', digest }, undefined, digest)).toBe(digest);
  });
});
