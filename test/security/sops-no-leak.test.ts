// No leak, asserted: every way a SOPS file can fail to decrypt yields an error whose message, fields, cause
// chain and inspected form carry no plaintext value, no data key and no ciphertext.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isSluiceError } from '../../shared/core/errors.ts';
import { decryptSopsFile } from '../../shared/core/sops/decrypt-sops-file.ts';
import type { SopsFormat } from '../../shared/core/sops/store.ts';
import { encryptSopsValue, sopsMac, sopsYamlBlock, TEST_LASTMODIFIED } from '../support/sops-encrypt.ts';

const KEY = Buffer.from('8f1c2a4b6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d1e3f5a7b9c1d3e5f70', 'hex');
const SECRETS = ['hunter2-leak-canary-password', 'AKIA-leak-canary-token-9f8e'];

const ENC = {
  password: encryptSopsValue(SECRETS[0] ?? '', 'str', KEY, 'data:password:'),
  token: encryptSopsValue(SECRETS[1] ?? '', 'str', KEY, 'data:token:'),
};

function yamlFile(mac: string, password = ENC.password): string {
  return `data:\n    password: ${password}\n    token: ${ENC.token}\n${sopsYamlBlock(mac)}`;
}

const goodMac = sopsMac(SECRETS, KEY, TEST_LASTMODIFIED);

/** Everything that could carry a value: ciphertext parts of every ENC value, the key in hex and base64. */
function forbidden(): string[] {
  const parts = Object.values(ENC).flatMap((v) =>
    [...v.matchAll(/(?:data|iv|tag):([^,\]]+)/g)].map((m) => m[1] ?? ''),
  );
  return [...SECRETS, KEY.toString('hex'), KEY.toString('base64'), ...parts.filter((p) => p.length >= 8)];
}

function everythingSaid(err: unknown): string {
  const seen: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 10; depth++) {
    seen.push(String(e), inspect(e, { depth: 10, showHidden: true }));
    if (e instanceof Error) seen.push(e.message, e.stack ?? '', JSON.stringify({ ...e }));
    e = e instanceof Error ? e.cause : undefined;
  }
  return seen.join('\n');
}

function failure(text: string, format: SopsFormat, key = KEY): unknown {
  try {
    decryptSopsFile(text, format, key, { fileName: 'fleet/apps/secret.enc.yaml' });
  } catch (err) {
    return err;
  }
  throw new Error('expected the decryption to fail');
}

describe('SOPS errors leak nothing', () => {
  it('the unharmed file decrypts (the canaries are real)', () => {
    expect(decryptSopsFile(yamlFile(goodMac), 'yaml', KEY).tree).toEqual({
      data: { password: SECRETS[0], token: SECRETS[1] },
    });
  });

  const cases: [string, () => unknown, string][] = [
    [
      'a bad MAC',
      () => failure(yamlFile(sopsMac(['other', 'values'], KEY, TEST_LASTMODIFIED)), 'yaml'),
      'MacMismatch',
    ],
    ['a missing MAC', () => failure(yamlFile('""'), 'yaml'), 'MacMismatch'],
    ['a wrong data key', () => failure(yamlFile(goodMac), 'yaml', Buffer.alloc(32, 3)), 'DecryptionFailed'],
    [
      'a tampered ciphertext',
      () => failure(yamlFile(goodMac, ENC.password.replace('data:', 'data:AAAA')), 'yaml'),
      'DecryptionFailed',
    ],
    [
      'a malformed ENC value',
      () => failure(yamlFile(goodMac, ENC.password.replace(',tag:', ',tig:')), 'yaml'),
      'ValidationFailed',
    ],
    [
      'a truncated YAML file',
      () => failure(yamlFile(goodMac).slice(0, yamlFile(goodMac).indexOf(',iv:')), 'yaml'),
      'ValidationFailed',
    ],
    [
      'a truncated JSON file',
      () => failure(`{"data": {"password": "${ENC.password}", "token": "${ENC.token}`, 'json'),
      'ValidationFailed',
    ],
    ['a value edited to plaintext', () => failure(yamlFile(goodMac, SECRETS[0]), 'yaml'), 'ValidationFailed'],
  ];

  it.each(cases)('%s', (_name, run, code) => {
    const err = run();
    expect(isSluiceError(err) && err.code).toBe(code);
    const said = everythingSaid(err);
    for (const f of forbidden()) expect(said).not.toContain(f);
  });
});
