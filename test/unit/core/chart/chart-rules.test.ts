// The pure rules of a HelmChart build: Flux's values merge, the Revision version suffix, which
// dependencies are fetched from where, version picking among OCI tags, and Chart.yaml validation.
import { describe, expect, it } from 'vitest';
import { parseChartMetadata } from '../../../../shared/core/chart/chart-metadata.ts';
import { versionWithRevision } from '../../../../shared/core/chart/chart-version.ts';
import { planDependencies } from '../../../../shared/core/chart/dependency-plan.ts';
import { mergeValues } from '../../../../shared/core/chart/merge-values.ts';
import { selectVersion, versionTags } from '../../../../shared/core/chart/select-version.ts';
import { errorOf } from '../../../support/error-of.ts';

describe('mergeValues', () => {
  it.each([
    [{ a: { b: 1, c: 2 } }, { a: { c: 3, d: 4 } }, { a: { b: 1, c: 3, d: 4 } }],
    [{ list: [1, 2] }, { list: [3] }, { list: [3] }],
    [{ a: { b: 1 } }, { a: 'scalar' }, { a: 'scalar' }],
    [{ a: 'scalar' }, { a: { b: 1 } }, { a: { b: 1 } }],
    [{ a: 1 }, { a: null }, { a: null }],
  ])('merges %j with %j', (base, over, want) => {
    expect(mergeValues(base, over)).toEqual(want);
  });
});

describe('versionWithRevision', () => {
  it.each([
    ['1.0.0', 'main@sha1:0123456789abcdef0123456789abcdef01234567', '1.0.0+0123456789ab'],
    ['1.0.0+old', 'main@sha1:0123456789abcdef0123456789abcdef01234567', '1.0.0+0123456789ab'],
    ['2.1.0-rc.1', 'v1@sha256:abcdefabcdef0123456789', '2.1.0-rc.1+abcdefabcdef'],
    ['1.0.0', 'main/0123456789abcdef0123', '1.0.0+0123456789ab'],
    ['1.0.0', 'sha256:fedcba9876543210aaaa', '1.0.0+fedcba987654'],
  ])('%s at %s is %s', (version, revision, want) => {
    expect(versionWithRevision(version, revision)).toBe(want);
  });
});

describe('planDependencies', () => {
  const dep = (repository: string, name = 'x') => ({ name, version: '*', repository });

  it('fetches what charts/ lacks, from the place its repository names', () => {
    const plan = planDependencies(
      [
        dep('file://../lib'),
        dep('https://charts.example.com/', 'web'),
        dep('oci://r.example.com/c', 'o'),
        dep('', 'kept'),
      ],
      new Set(['kept']),
      'chart a',
    );
    expect(plan.map((p) => [p.kind, 'url' in p ? p.url : p.path])).toEqual([
      ['file', '../lib'],
      ['repository', 'https://charts.example.com'],
      ['oci', 'oci://r.example.com/c'],
    ]);
  });

  it.each([
    ['@stable', 'ValidationFailed'],
    ['alias:stable', 'ValidationFailed'],
    ['ftp://x', 'ValidationFailed'],
    ['', 'ArtifactNotFound'],
  ])('refuses the repository %j', (repository, code) => {
    expect(errorOf(() => planDependencies([dep(repository)], new Set(), 'chart a')).code).toBe(code);
  });

  it('bounds the number of dependencies', () => {
    const many = Array.from({ length: 101 }, (_, i) => dep('https://c.example.com', `d${i}`));
    expect(errorOf(() => planDependencies(many, new Set(), 'chart a')).code).toBe('LimitExceeded');
  });
});

describe('selectVersion over OCI tags', () => {
  const tags = versionTags(['latest', '1.0.0', '1.1.0-rc.1', '0.9.0', '1.0.1_build.5', 'v2.0.0']);

  it.each([
    ['', 'v2.0.0'],
    ['*', 'v2.0.0'],
    ['<2.0.0', '1.0.1+build.5'],
    ['~1.0.0', '1.0.1+build.5'],
    ['>=1.1.0-0 <2.0.0', '1.1.0-rc.1'],
  ])('range %j picks %s', (range, want) => {
    expect(selectVersion(tags, range, 'chart c').version).toBe(want);
  });

  it('names the range and the newest versions when nothing matches', () => {
    const err = errorOf(() => selectVersion(tags, '>=3', 'chart c'));
    expect(err.code).toBe('ArtifactNotFound');
    expect(err.message).toContain('>=3');
    expect(err.message).toContain('2.0.0');
  });
});

describe('parseChartMetadata', () => {
  it.each([
    ['apiVersion: v3\nname: a\nversion: 1.0.0\n'],
    ['apiVersion: v2\nname: ../a\nversion: 1.0.0\n'],
    ['apiVersion: v2\nname: a\nversion: one\n'],
    ['apiVersion: v2\nversion: 1.0.0\n'],
    ['- not a map\n'],
  ])('refuses %j', (text) => {
    expect(errorOf(() => parseChartMetadata(text, 'c/Chart.yaml')).code).toBe('ValidationFailed');
  });
});
