// A Bucket listing becomes Flux's revision (the digest of sorted `<key> <etag>` lines) and a set of safe
// paths: directory markers and ignored keys are left out, hostile keys and oversized buckets refused.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bucketRevision, selectBucketObjects } from '../../../../shared/core/bucket/bucket-index.ts';
import { isSluiceError } from '../../../../shared/core/errors.ts';
import { SourceIgnore } from '../../../../shared/core/git/source-ignore.ts';

const none = new SourceIgnore(undefined, new Map(), { builtIn: false });
const obj = (key: string, etag = 'e1', size = 10) => ({ key, etag, size });
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return err.code;
    throw err;
  }
  return 'no error';
};

describe('bucket revision', () => {
  it('is sha256 of the key-sorted "<key> <etag>\\n" lines, as source-controller computes it', () => {
    const entries = selectBucketObjects([obj('b.yaml', '"bb"'), obj('a.yaml', '"aa"')], none);
    const expected = createHash('sha256').update('a.yaml aa\nb.yaml bb\n').digest('hex');
    expect(bucketRevision(entries)).toBe(`sha256:${expected}`);
  });

  it('does not depend on listing order, and moves when one etag does', () => {
    const one = bucketRevision(selectBucketObjects([obj('a', 'x'), obj('b', 'y')], none));
    const two = bucketRevision(selectBucketObjects([obj('b', 'y'), obj('a', 'x')], none));
    const moved = bucketRevision(selectBucketObjects([obj('b', 'z'), obj('a', 'x')], none));
    expect(one).toBe(two);
    expect(moved).not.toBe(one);
  });

  it('sorts keys by bytes like Go, not by UTF-16 units', () => {
    const entries = selectBucketObjects([obj('\u{1F600}'), obj('\uFF5E')], none);
    const expected = createHash('sha256').update('\uFF5E e1\n\u{1F600} e1\n').digest('hex');
    expect(bucketRevision(entries)).toBe(`sha256:${expected}`);
  });
});

describe('selecting bucket objects', () => {
  it('leaves out directory markers and what spec.ignore excludes', () => {
    const ignore = new SourceIgnore('*.md\n!keep.md', new Map(), { builtIn: false });
    const keys = selectBucketObjects(
      [obj('apps/'), obj('apps/a.yaml'), obj('README.md'), obj('keep.md')],
      ignore,
    ).map((e) => e.key);
    expect(keys).toEqual(['apps/a.yaml', 'keep.md']);
  });

  it.each([
    '../escape.yaml',
    'apps/../../escape.yaml',
    '/etc/passwd',
    'apps//a.yaml',
    './a.yaml',
    'a\\b.yaml',
    'a\0b',
    'C:/x',
  ])('refuses the hostile key %j before anything is written', (key) => {
    expect(codeOf(() => selectBucketObjects([obj(key)], none))).toBe('ArchiveRejected');
  });

  it('refuses a bucket over the file count, file size or total size bounds', () => {
    const limits = { maxFiles: 2, maxFileBytes: 100, maxTotalBytes: 150 };
    expect(codeOf(() => selectBucketObjects([obj('a'), obj('b'), obj('c')], none, limits))).toBe(
      'ArchiveRejected',
    );
    expect(codeOf(() => selectBucketObjects([obj('a', 'e', 101)], none, limits))).toBe('ArchiveRejected');
    expect(codeOf(() => selectBucketObjects([obj('a', 'e', 80), obj('b', 'e', 80)], none, limits))).toBe(
      'ArchiveRejected',
    );
  });
});
