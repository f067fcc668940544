import { describe, expect, it } from 'vitest';
import { cryptDecider, normalizeRules, re2ToRegExp } from '../../../../shared/core/sops/crypt-rules.ts';

const dec = (rules: Parameters<typeof cryptDecider>[0]) => cryptDecider(rules, 'f.yaml');

describe('which leaves are encrypted (SPEC-SOPS §4)', () => {
  it('defaults to the _unencrypted suffix on any ancestor key', () => {
    const d = dec({});
    expect(d.shouldBeEncrypted(['password'], [], false)).toBe(true);
    expect(d.shouldBeEncrypted(['nested_unencrypted', 'a', 'b'], [], false)).toBe(false);
  });

  it('encrypted_suffix encrypts only below a matching key', () => {
    const d = dec({ encryptedSuffix: '_enc' });
    expect(d.shouldBeEncrypted(['db_enc', 'password'], [], false)).toBe(true);
    expect(d.shouldBeEncrypted(['db', 'password'], [], false)).toBe(false);
  });

  it('encrypted_regex is an unanchored search over every ancestor key', () => {
    const d = dec({ encryptedRegex: '^(data|stringData)$' });
    expect(d.shouldBeEncrypted(['stringData', 'key'], [], false)).toBe(true);
    expect(d.shouldBeEncrypted(['data', 'nested', 'deeper'], [], false)).toBe(true);
    expect(d.shouldBeEncrypted(['metadata', 'name'], [], false)).toBe(false);
    expect(dec({ encryptedRegex: 'pass' }).shouldBeEncrypted(['db', 'mypassword'], [], false)).toBe(true);
  });

  it('unencrypted_regex leaves matching subtrees in plaintext', () => {
    const d = dec({ unencryptedRegex: '^(apiVersion|kind|metadata)$' });
    expect(d.shouldBeEncrypted(['metadata', 'name'], [], false)).toBe(false);
    expect(d.shouldBeEncrypted(['data', 'x'], [], false)).toBe(true);
  });

  it('encrypted_comment_regex selects the items after a marker comment, but not the marker itself', () => {
    const d = dec({ encryptedCommentRegex: 'sops:enc' });
    expect(d.shouldBeEncrypted(['password'], [[' sops:enc']], false)).toBe(true);
    expect(d.shouldBeEncrypted(['user'], [[]], false)).toBe(false);
    expect(d.shouldBeEncrypted([], [[' sops:enc']], true)).toBe(false);
    expect(d.shouldBeEncrypted([], [[' sops:enc', ' secret note']], true)).toBe(true);
  });

  it('unencrypted_comment_regex keeps items under a marker comment in plaintext, at any level', () => {
    const d = dec({ unencryptedCommentRegex: 'sops:plain' });
    expect(d.shouldBeEncrypted(['a', 'b'], [[' sops:plain'], []], false)).toBe(false);
    expect(d.shouldBeEncrypted(['a', 'b'], [[], []], false)).toBe(true);
  });

  it('refuses more than one rule in a file', () => {
    expect(() => normalizeRules({ encryptedRegex: 'a', unencryptedSuffix: '_u' }, 'f.yaml')).toThrowError(
      expect.objectContaining({ code: 'ValidationFailed' }),
    );
  });
});

describe('RE2 to JS regex', () => {
  it.each([
    ['(?i)^PASS', 'password', true],
    ['[[:digit:]]+$', 'key1', true],
    ['\\Afoo\\z', 'foo', true],
    ['\\Afoo\\z', 'foo\n', false],
    ['\\Qa.b\\E', 'axb', false],
    ['\\Qa.b\\E', 'a.b', true],
  ])('%s on %j → %s', (re, text, hit) => {
    expect(re2ToRegExp(re, 'f').test(text)).toBe(hit);
  });
});
