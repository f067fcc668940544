import { describe, expect, it } from 'vitest';
import { isSluiceError, type SluiceError } from '../../../../shared/core/errors.ts';
import { detectFormat } from '../../../../shared/core/sops/detect-format.ts';
import { parseEncryptedValue } from '../../../../shared/core/sops/encrypted-value.ts';

function thrown(run: () => unknown): SluiceError {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

const IV = Buffer.alloc(32, 7).toString('base64');
const TAG = Buffer.alloc(16, 9).toString('base64');
const enc = (data: string, type = 'str', iv = IV, tag = TAG) =>
  `ENC[AES256_GCM,data:${data},iv:${iv},tag:${tag},type:${type}]`;

describe('parseEncryptedValue (SPEC-SOPS §2.1)', () => {
  it.each(['str', 'int', 'float', 'bool', 'time', 'bytes', 'comment'])('reads the %s type', (type) => {
    const v = parseEncryptedValue(enc('aGk=', type), 'f.yaml: a');
    expect(v.type).toBe(type);
    expect(v.data.toString()).toBe('hi');
    expect(v.iv.length).toBe(32);
    expect(v.tag.length).toBe(16);
  });

  it('ignores text after the closing bracket, like the unanchored Go regexp', () => {
    expect(parseEncryptedValue(`${enc('aGk=')} trailing`, 'f').type).toBe('str');
  });

  it.each([
    ['not ENC at all', 'plain'],
    ['another cipher', `ENC[AES128_GCM,data:aGk=,iv:${IV},tag:${TAG},type:str]`],
    ['an unknown type', enc('aGk=', 'date')],
    ['unpadded base64', enc('aGk')],
    ['base64 outside the standard alphabet', enc('a-k_')],
    ['a missing field', `ENC[AES256_GCM,data:aGk=,iv:${IV},type:str]`],
    ['a leading space', ` ${enc('aGk=')}`],
  ])('refuses %s with ValidationFailed naming the path, never the value', (_why, text) => {
    const err = thrown(() => parseEncryptedValue(text, 'secret.yaml: data.password'));
    expect(err).toMatchObject({ code: 'ValidationFailed', field: 'secret.yaml: data.password' });
    expect(err.message).toContain('data.password');
    expect(err.message).not.toContain('aGk');
  });
});

describe('detectFormat (sops FormatForPath)', () => {
  it.each([
    ['secret.yaml', 'yaml'],
    ['secret.yml', 'yaml'],
    ['a/b/config.json', 'json'],
    ['app.env', 'dotenv'],
    ['settings.ini', 'ini'],
    ['key.pem', 'binary'],
    ['noext', 'binary'],
    ['SECRET.YAML', 'binary'],
  ])('%s is %s', (name, fmt) => {
    expect(detectFormat(name)).toBe(fmt);
  });
});
