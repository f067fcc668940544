import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSealed, SEALED_PREFIX, SecretCipher } from '../../../../shared/core/secrets/secret-cipher.ts';
import { errorOf } from '../../../support/error-of.ts';

const key = randomBytes(32);

describe('SecretCipher', () => {
  const cipher = new SecretCipher(key);

  it('opens what it sealed, at the same place', () => {
    const sealed = cipher.seal(Buffer.from('hunter2'), 'here');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed.startsWith(SEALED_PREFIX)).toBe(true);
    expect(sealed).not.toContain('hunter2');
    expect(cipher.open(sealed, 'here', 'test').toString()).toBe('hunter2');
  });

  it('seals equal content at the same place to equal bytes, and anything else to different bytes', () => {
    const a = cipher.seal(Buffer.from('v'), 'p');
    expect(cipher.seal(Buffer.from('v'), 'p')).toBe(a);
    expect(cipher.seal(Buffer.from('w'), 'p')).not.toBe(a);
    expect(cipher.seal(Buffer.from('v'), 'q')).not.toBe(a);
    expect(new SecretCipher(randomBytes(32)).seal(Buffer.from('v'), 'p')).not.toBe(a);
  });

  it('keeps bytes that are not UTF-8 as they are', () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    expect(cipher.open(cipher.seal(bytes, 'p'), 'p', 'test').equals(bytes)).toBe(true);
  });

  it.each([
    [
      'a changed byte',
      (s: string) => {
        const raw = Buffer.from(s.slice(SEALED_PREFIX.length), 'base64');
        raw[raw.length - 20] = (raw[raw.length - 20] ?? 0) ^ 1;
        return SEALED_PREFIX + raw.toString('base64');
      },
      'p',
    ],
    ['a value moved to another place', (s: string) => s, 'elsewhere'],
    ['a truncated value', (s: string) => s.slice(0, SEALED_PREFIX.length + 8), 'p'],
    ['a value that is not sealed', () => 'plain', 'p'],
  ])('refuses %s with DecryptionFailed, naming only what was opened', (_what, change, place) => {
    const sealed = change(cipher.seal(Buffer.from('s3cret-value'), 'p'));
    const err = errorOf(() => cipher.open(sealed, place, 'Secret app/db'));
    expect(err.code).toBe('DecryptionFailed');
    expect(err.message).toContain('Secret app/db');
    expect(err.message).not.toContain('s3cret-value');
  });

  it('refuses a data key of the wrong size', () => {
    expect(errorOf(() => new SecretCipher(randomBytes(16))).code).toBe('ConfigInvalid');
  });
});
