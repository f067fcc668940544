import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { decryptSopsFile, readSopsMetadata } from '../../../../shared/core/sops/decrypt-sops-file.ts';
import {
  loadPlainFile,
  rfc3339Seconds,
  type SealOptions,
  sealLoadedFile,
} from '../../../../shared/core/sops/encrypt-sops-file.ts';
import { parseEncryptedValue } from '../../../../shared/core/sops/encrypted-value.ts';
import { encodeMetadata, flattenMetadata } from '../../../../shared/core/sops/metadata-encode.ts';
import type { SopsKeyGroup } from '../../../../shared/core/sops/sops-metadata.ts';
import type { SopsFormat } from '../../../../shared/core/sops/store.ts';
import { decryptBytes, decryptValue } from '../../../../shared/core/sops/value-cipher.ts';
import { encryptValue, typedPlaintext } from '../../../../shared/core/sops/value-encrypt.ts';
import { SopsComment } from '../../../../shared/core/sops/value-types.ts';
import { errorOf } from '../../../support/error-of.ts';

const KEY = Buffer.alloc(32, 7);
const NOW = new Date('2026-03-04T05:06:07.891Z');
// The enc field is never unwrapped here: the data key is handed to the decryption directly.
const GROUP: SopsKeyGroup = [
  { type: 'age', recipient: 'age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29', enc: 'x\n' },
];

function seal(text: string, format: SopsFormat, opts: Partial<SealOptions> = {}): string {
  const loaded = loadPlainFile(text, format, `secret.${format}`);
  return sealLoadedFile(loaded, format, {
    dataKey: KEY,
    keyGroups: [GROUP],
    rules: {},
    now: NOW,
    random: randomBytes,
    fileName: `secret.${format}`,
    ...opts,
  });
}

describe('encryptValue', () => {
  it('writes sops types and bytes (Go ints, shortest floats, True/False) that decrypt to the same value', () => {
    expect(typedPlaintext(42n)).toEqual({ type: 'int', plain: Buffer.from('42') });
    expect(typedPlaintext(1e21)).toEqual({ type: 'float', plain: Buffer.from('1000000000000000000000') });
    expect(typedPlaintext(false)).toEqual({ type: 'bool', plain: Buffer.from('False') });
    expect(typedPlaintext(new SopsComment(' c')).type).toBe('comment');
    for (const v of ['héllo', 42n, 2.5, true]) {
      const enc = encryptValue(v, KEY, 'a:b:', randomBytes);
      const parsed = parseEncryptedValue(enc, 'x');
      expect(parsed.iv).toHaveLength(32);
      expect(parsed.tag).toHaveLength(16);
      expect(decryptValue(enc, KEY, 'a:b:', 'x')).toEqual(v);
    }
  });

  it("stores '' as '' and binds the value to its path", () => {
    expect(encryptValue('', KEY, 'a:', randomBytes)).toBe('');
    const enc = encryptValue('s', KEY, 'a:', randomBytes);
    expect(errorOf(() => decryptValue(enc, KEY, 'b:', 'x'))).toMatchObject({ code: 'DecryptionFailed' });
  });
});

describe('metadata', () => {
  it("writes sops' field order, omitting empty lists, and flattens with __map_/__list_ keys", () => {
    const md = encodeMetadata({
      keyGroups: [
        [
          GROUP[0] as SopsKeyGroup[number],
          {
            type: 'kms',
            arn: 'arn:aws:kms:us-east-1:111122223333:key/k',
            role: undefined,
            context: { Team: 'a' },
            createdAt: '2026-03-04T05:06:07Z',
            enc: 'Q0lQ',
            awsProfile: undefined,
          },
        ],
      ],
      shamirThreshold: 0,
      lastModified: '2026-03-04T05:06:07Z',
      mac: 'ENC[…]',
      rules: { encryptedRegex: '^data$' },
      macOnlyEncrypted: false,
    });
    expect(Object.keys(md)).toEqual(['kms', 'age', 'lastmodified', 'mac', 'encrypted_regex', 'version']);
    expect(md.version).toBe('3.13.0');
    expect(flattenMetadata(md).map(([k]) => k)).toContain('kms__list_0__map_context__map_Team');
  });
});

describe('sealLoadedFile', () => {
  const cases: [SopsFormat, string][] = [
    [
      'yaml',
      '# top\na: 1\nb:\n    # about c\n    c: secret\n    d_unencrypted: plain\n    l:\n        - x\n        - 2.5\n',
    ],
    ['json', '{\n\t"b": "secret",\n\t"a": [\n\t\t1,\n\t\ttrue\n\t],\n\t"e": ""\n}\n'],
    ['dotenv', '# comment\nKEY=secret\nOTHER=two\\nlines\n'],
    ['ini', '; head\n[db]\npassword = secret\n; after password\nuser = admin\n'],
    ['binary', 'raw\u0001bytes\nsecret\n'],
  ];
  for (const [format, text] of cases) {
    it(`${format}: decrypts back to the same file with a verified MAC, with no plaintext left`, () => {
      const out = seal(text, format);
      expect(out).not.toContain('secret\n');
      expect(out).not.toMatch(/[:=] ?secret/);
      const back = decryptSopsFile(out, format, KEY, { fileName: 'x' });
      expect(back.macVerified).toBe(true);
      expect(back.plaintext).toBe(text);
      const md = readSopsMetadata(out, format);
      expect(md.lastModified).toBe('2026-03-04T05:06:07Z');
      // sops 3.13 writes no rule for the binary store (its one value is always encrypted).
      expect(md.rules).toEqual(format === 'binary' ? {} : { unencryptedSuffix: '_unencrypted' });
    });
  }

  it('yaml: every document gets its own values and the sops entry; aliases become copies with their own AAD', () => {
    const multi = 'a: secret\n---\nb: two\n';
    const out = seal(multi, 'yaml');
    expect(out.match(/^sops:$/gm)).toHaveLength(2);
    expect(out.match(/^---$/gm)).toHaveLength(1);
    expect(decryptSopsFile(out, 'yaml', KEY).plaintext).toBe(multi);
    const aliased = seal('base: &b\n    x: secret\nother: *b\n', 'yaml');
    expect(aliased).not.toContain('*b');
    expect(decryptSopsFile(aliased, 'yaml', KEY).tree).toEqual({
      base: { x: 'secret' },
      other: { x: 'secret' },
    });
  });

  it('binary: takes the file as bytes, so content that is not UTF-8 is encrypted unchanged', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]);
    const out = sealLoadedFile(loadPlainFile(bytes, 'binary', 'blob'), 'binary', {
      dataKey: KEY,
      keyGroups: [GROUP],
      rules: {},
      now: NOW,
      random: randomBytes,
      fileName: 'blob',
    });
    const data = (JSON.parse(out) as { data: string }).data;
    expect(decryptBytes(data, KEY, 'data:', 'blob').plain.equals(bytes)).toBe(true);
  });

  it('binary: a file that is not UTF-8 decrypts to its exact bytes with a verified MAC', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41, 0xc3, 0x28, 0xef, 0xbf, 0xbd]);
    const out = sealLoadedFile(loadPlainFile(bytes, 'binary', 'blob'), 'binary', {
      dataKey: KEY,
      keyGroups: [GROUP],
      rules: {},
      now: NOW,
      random: randomBytes,
      fileName: 'blob',
    });
    const back = decryptSopsFile(out, 'binary', KEY, { fileName: 'blob' });
    expect(back.macVerified).toBe(true);
    expect(back.bytes.equals(bytes)).toBe(true);
  });

  it.each(['yaml', 'json', 'dotenv', 'ini'] as const)(
    '%s: a file that is not UTF-8 is refused naming the file, not encrypted with bytes replaced',
    (format) => {
      const bytes = Buffer.concat([Buffer.from('a=b\nc: '), Buffer.from([0xff, 0xfe])]);
      const err = errorOf(() => loadPlainFile(bytes, format, 'blob'));
      expect(err.code).toBe('ValidationFailed');
      expect(err.message).toContain('blob');
    },
  );

  it('binary: every rule is ignored, as sops does, so a regex meant for YAML cannot leave the file plain', () => {
    const out = seal('password: hunter2\n', 'binary', {
      rules: { encryptedRegex: '^password$' },
      macOnlyEncrypted: true,
    });
    const parsed = JSON.parse(out) as { data: string; sops: Record<string, unknown> };
    expect(parsed.data).toMatch(/^ENC\[AES256_GCM,/);
    expect(parsed.sops.encrypted_regex).toBeUndefined();
    expect(parsed.sops.unencrypted_suffix).toBeUndefined();
    expect(parsed.sops.mac_only_encrypted).toBeUndefined();
    expect(decryptSopsFile(out, 'binary', KEY).plaintext).toBe('password: hunter2\n');
  });

  it('binary: UTF-8 content (a literal U+FFFD included) stays a string, and bytes match the text', () => {
    const text = 'caf\u00e9 \ufffd ok\n';
    const back = decryptSopsFile(seal(text, 'binary'), 'binary', KEY);
    expect(back.plaintext).toBe(text);
    expect(back.bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('with encrypted_regex leaves other values and comments plain, and the MAC still covers them', () => {
    const text = 'kind: Secret\n# plain comment\nstringData:\n    # secret comment\n    pw: hunter2\n';
    const out = seal(text, 'yaml', { rules: { encryptedRegex: '^(data|stringData)$' } });
    expect(out).toContain('kind: Secret');
    expect(out).toContain('# plain comment');
    expect(out).not.toContain('secret comment');
    expect(out).not.toContain('hunter2');
    expect((parseYaml(out) as { sops: Record<string, unknown> }).sops.encrypted_regex).toBe(
      '^(data|stringData)$',
    );
    expect(decryptSopsFile(out, 'yaml', KEY).plaintext).toBe(text);
    const tampered = out.replace('kind: Secret', 'kind: ConfigMap');
    expect(errorOf(() => decryptSopsFile(tampered, 'yaml', KEY))).toMatchObject({ code: 'MacMismatch' });
  });

  it('stores the MAC as sops does: SHA-512 of the values, encrypted with lastmodified as AAD', () => {
    const out = seal('a: x\nb: 5\n', 'yaml');
    const mac = (parseYaml(out) as { sops: { mac: string } }).sops.mac;
    const expected = createHash('sha512').update('x5').digest('hex').toUpperCase();
    expect(decryptValue(mac, KEY, rfc3339Seconds(NOW), 'mac')).toBe(expected);
  });

  it('refuses a file that already has sops metadata, and more than one rule, naming the file', () => {
    const once = seal('a: x\n', 'yaml');
    expect(errorOf(() => seal(once, 'yaml'))).toMatchObject({ code: 'ValidationFailed' });
    expect(errorOf(() => seal(once, 'yaml')).message).toContain('secret.yaml');
    expect(errorOf(() => seal('# only a comment\n', 'yaml'))).toMatchObject({ code: 'ValidationFailed' });
    const two = errorOf(() =>
      seal('a: x\n', 'yaml', { rules: { encryptedRegex: 'a', unencryptedSuffix: '_u' } }),
    );
    expect(two).toMatchObject({ code: 'ValidationFailed' });
    expect(two.message).not.toContain(': x');
  });
});
