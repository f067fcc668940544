import { describe, expect, it } from 'vitest';
import { aadForPath, cipherKey, decryptValue } from '../../../../shared/core/sops/value-cipher.ts';
import { formatGoFloat, leafBytes, SopsComment } from '../../../../shared/core/sops/value-types.ts';
import { encryptSopsValue } from '../../../support/sops-encrypt.ts';

const KEY = Buffer.alloc(32, 1);

describe('value decryption (SPEC-SOPS §2.2, §3)', () => {
  it.each([
    ['str', 'hello', 'hello'],
    ['int', '-42', -42n],
    ['int', '007', 7n],
    ['float', '3.25', 3.25],
    ['bool', 'True', true],
    ['bool', 'false', false],
    ['bool', '0', false],
    ['time', '2026-01-02T03:04:05.5Z', '2026-01-02T03:04:05.5Z'],
  ] as const)('decodes type %s %s', (type, plain, want) => {
    expect(decryptValue(encryptSopsValue(plain, type, KEY, 'a:'), KEY, 'a:', 'f: a')).toEqual(want);
  });

  it('decodes bytes and comments', () => {
    expect(decryptValue(encryptSopsValue('raw', 'bytes', KEY, 'a:'), KEY, 'a:', 'f')).toEqual(
      new Uint8Array(Buffer.from('raw')),
    );
    expect(decryptValue(encryptSopsValue(' note', 'comment', KEY, ':'), KEY, ':', 'f')).toEqual(
      new SopsComment(' note'),
    );
  });

  it.each([
    ['int', '1.5'],
    ['int', '0x10'],
    ['bool', 'yes'],
    ['float', 'abc'],
  ])('refuses a %s plaintext %j that its type cannot hold', (type, plain) => {
    expect(() => decryptValue(encryptSopsValue(plain, type, KEY, 'a:'), KEY, 'a:', 'f')).toThrowError(
      expect.objectContaining({ code: 'ValidationFailed' }),
    );
  });

  it('returns an empty string unencrypted (§2.3)', () => {
    expect(decryptValue('', KEY, 'a:', 'f')).toBe('');
  });

  it('binds a value to its key path: another path does not decrypt', () => {
    const v = encryptSopsValue('s3cret', 'str', KEY, aadForPath(['data', 'password']));
    expect(decryptValue(v, KEY, 'data:password:', 'f')).toBe('s3cret');
    expect(() => decryptValue(v, KEY, 'data:user:', 'f')).toThrowError(
      expect.objectContaining({ code: 'DecryptionFailed' }),
    );
  });

  it('refuses a wrong data key with DecryptionFailed', () => {
    const v = encryptSopsValue('s3cret', 'str', KEY, 'a:');
    expect(() => decryptValue(v, Buffer.alloc(32, 2), 'a:', 'f')).toThrowError(
      expect.objectContaining({ code: 'DecryptionFailed' }),
    );
  });
});

describe('aadForPath', () => {
  it.each([
    [['data', 'password'], 'data:password:'],
    [[], ':'],
    [['foo '], 'foo :'],
    [['name', 'firstName'], 'name:firstName:'],
  ])('%j → %j', (path, aad) => {
    expect(aadForPath(path)).toBe(aad);
  });
});

describe('MAC byte forms (sops ToBytes)', () => {
  it.each([
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [0.1, '0.1'],
    [-2.5e22, '-25000000000000000000000'],
    [1234568000, '1234568000'],
  ])('formats float %d as Go FormatFloat(f, -1) %s', (f, s) => {
    expect(formatGoFloat(f)).toBe(s);
  });

  it.each([
    ['text', 'text'],
    [7n, '7'],
    [true, 'True'],
    [false, 'False'],
    [2.5, '2.5'],
  ] as const)('hashes %s as %s', (v, s) => {
    expect(leafBytes(v).toString()).toBe(s);
  });

  it('decrypts the same with the per-file KeyObject as with the raw key, and refuses a short key alike', () => {
    const v = encryptSopsValue('s3cret', 'str', KEY, 'a:');
    expect(decryptValue(v, cipherKey(KEY), 'a:', 'f')).toBe('s3cret');
    expect(() => decryptValue(v, cipherKey(Buffer.alloc(32, 2)), 'a:', 'f')).toThrowError(
      expect.objectContaining({ code: 'DecryptionFailed' }),
    );
    expect(() => decryptValue(v, cipherKey(Buffer.alloc(16, 1)), 'a:', 'f')).toThrowError(
      expect.objectContaining({ code: 'DecryptionFailed' }),
    );
  });
});
