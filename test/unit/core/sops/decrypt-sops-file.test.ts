import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { decryptSopsFile, readSopsMetadata } from '../../../../shared/core/sops/decrypt-sops-file.ts';
import {
  encryptSopsValue,
  sopsMac,
  sopsYamlBlock,
  TEST_LASTMODIFIED,
} from '../../../support/sops-encrypt.ts';

const KEY = Buffer.alloc(32, 5);
const e = (plain: string, aad: string, type = 'str') => encryptSopsValue(plain, type, KEY, aad);

/** A YAML file with encrypted_regex ^data$: list items share the list's AAD, a comment uses its map's path. */
function yamlFile(macLeaves = ['v1', '493', 'alpha', 'beta', '7']): string {
  return [
    'apiVersion: v1',
    'mode: 0755',
    'data:',
    '    list:',
    `        - ${e('alpha', 'data:list:')}`,
    `        - ${e('beta', 'data:list:')}`,
    `    #${e(' the count', 'data:', 'comment')}`,
    `    n: ${e('007', 'data:n:', 'int')}`,
    '    empty: ""',
    '    nothing: null',
    sopsYamlBlock(sopsMac(macLeaves, KEY, TEST_LASTMODIFIED), { encrypted_regex: '^data$' }),
  ].join('\n');
}

describe('decryptSopsFile', () => {
  it('decrypts list items with the list path, ints by type, comments, and verifies the MAC over yaml.v3 values', () => {
    const out = decryptSopsFile(yamlFile(), 'yaml', KEY, { fileName: 'secret.yaml' });
    expect(out.macVerified).toBe(true);
    expect(out.tree).toEqual({
      apiVersion: 'v1',
      mode: 493,
      data: { list: ['alpha', 'beta'], n: 7, empty: '', nothing: null },
    });
    expect(out.plaintext).toContain('# the count');
    expect(out.plaintext).not.toContain('sops:');
    expect(parseYaml(out.plaintext)).toMatchObject({ data: { list: ['alpha', 'beta'], n: 7 } });
  });

  it('keeps key order and prints with sops’ 4-space indent', () => {
    const out = decryptSopsFile(yamlFile(), 'yaml', KEY);
    expect(out.plaintext.indexOf('apiVersion')).toBeLessThan(out.plaintext.indexOf('data:'));
    expect(out.plaintext).toContain('\n    list:\n');
  });

  it('fails with MacMismatch naming the file when the MAC covers other values', () => {
    const file = yamlFile(['v1', '755', 'alpha', 'beta', '7']);
    expect(() => decryptSopsFile(file, 'yaml', KEY, { fileName: 'secret.yaml' })).toThrowError(
      expect.objectContaining({ code: 'MacMismatch', file: 'secret.yaml' }),
    );
    expect(decryptSopsFile(file, 'yaml', KEY, { verifyMac: false }).macVerified).toBe(false);
  });

  it('fails with MacMismatch when the MAC is missing', () => {
    const file = yamlFile().replace(/ {4}mac: .*\n/, '');
    expect(() => decryptSopsFile(file, 'yaml', KEY, { fileName: 'x.yaml' })).toThrowError(
      expect.objectContaining({ code: 'MacMismatch', file: 'x.yaml' }),
    );
  });

  it('seeds the MAC with SHA-256("sops") and hashes only encrypted leaves under mac_only_encrypted', () => {
    const h = createHash('sha512').update(createHash('sha256').update('sops').digest()).update('s3cret');
    const mac = encryptSopsValue(h.digest('hex').toUpperCase(), 'str', KEY, TEST_LASTMODIFIED);
    const file = `plain_unencrypted: changed later\npassword: ${e('s3cret', 'password:')}\n${sopsYamlBlock(mac, { mac_only_encrypted: 'true' })}`;
    expect(decryptSopsFile(file, 'yaml', KEY).tree).toEqual({
      plain_unencrypted: 'changed later',
      password: 's3cret',
    });
  });

  it('walks every YAML document from an empty path and takes the metadata of the first', () => {
    const mac = sopsMac(['one', 'two'], KEY, TEST_LASTMODIFIED);
    const file = `a: ${e('one', 'a:')}\n${sopsYamlBlock(mac)}---\na: ${e('two', 'a:')}\n`;
    expect(decryptSopsFile(file, 'yaml', KEY).tree).toEqual([{ a: 'one' }, { a: 'two' }]);
  });

  it('keeps JSON key order, including integer-like keys', () => {
    const mac = sopsMac(['x', 'y'], KEY, TEST_LASTMODIFIED);
    const sops = {
      age: [{ recipient: 'age1x', enc: 'e' }],
      lastmodified: TEST_LASTMODIFIED,
      mac,
      version: '3.13.2',
    };
    const file = `{"b": "${e('x', 'b:')}", "10": "${e('y', '10:')}", "sops": ${JSON.stringify(sops)}}`;
    const out = decryptSopsFile(file, 'json', KEY);
    expect(out.plaintext).toBe('{\n\t"b": "x",\n\t"10": "y"\n}\n');
  });

  it('reads dotenv with flattened metadata and INI sections', () => {
    const mac = sopsMac(['v'], KEY, TEST_LASTMODIFIED);
    const env = `K=${e('v', 'K:')}\nsops_age__list_0__map_recipient=age1x\nsops_age__list_0__map_enc=a\\nb\nsops_lastmodified=${TEST_LASTMODIFIED}\nsops_mac=${mac}\n`;
    expect(decryptSopsFile(env, 'dotenv', KEY).plaintext).toBe('K=v\n');
    expect(readSopsMetadata(env, 'dotenv').keyGroups).toEqual([
      [{ type: 'age', recipient: 'age1x', enc: 'a\nb' }],
    ]);
    const ini = `[s]\nk = ${e('v', 's:k:')}\n\n[sops]\nage__list_0__map_recipient = age1x\nage__list_0__map_enc = e\nlastmodified = ${TEST_LASTMODIFIED}\nmac = ${mac}\n`;
    expect(decryptSopsFile(ini, 'ini', KEY).tree).toEqual({ DEFAULT: {}, s: { k: 'v' } });
  });
});

describe('readSopsMetadata (SPEC-SOPS §6)', () => {
  it('types key groups in sops’ order, the canonical MAC AAD and the rule', () => {
    const file = [
      'a: b',
      'sops:',
      '    key_groups:',
      '        - age:',
      '            - recipient: age1a',
      '              enc: A',
      '          kms:',
      '            - arn: arn:aws:kms:eu-west-1:111122223333:key/k',
      '              role: arn:aws:iam::111122223333:role/r',
      '              context: {cluster: prod}',
      '              created_at: "2026-01-01T00:00:00Z"',
      '              enc: Qg==',
      '        - pgp:',
      '            - fp: FBC7',
      '              created_at: "2026-01-01T00:00:00Z"',
      '              enc: P',
      '    shamir_threshold: 2',
      '    lastmodified: "2026-01-02T03:04:05.123+00:00"',
      '    mac: ENC[x]',
      '    encrypted_regex: ^data$',
      '    version: 3.13.2',
    ].join('\n');
    const md = readSopsMetadata(file, 'yaml');
    expect(md.keyGroups.map((g) => g.map((k) => k.type))).toEqual([['kms', 'age'], ['pgp']]);
    expect(md.keyGroups[0]?.[0]).toMatchObject({
      type: 'kms',
      context: { cluster: 'prod' },
      role: 'arn:aws:iam::111122223333:role/r',
    });
    expect(md.shamirThreshold).toBe(2);
    expect(md.macAad).toBe('2026-01-02T03:04:05Z');
    expect(md.rules).toEqual({ encryptedRegex: '^data$' });
  });

  it('refuses a file without keys or without sops metadata', () => {
    expect(() => readSopsMetadata('a: b\n', 'yaml')).toThrowError(
      expect.objectContaining({ code: 'ValidationFailed' }),
    );
    expect(() =>
      readSopsMetadata(`a: b\nsops:\n    lastmodified: "${TEST_LASTMODIFIED}"\n`, 'yaml'),
    ).toThrowError(expect.objectContaining({ code: 'ValidationFailed' }));
  });
});
