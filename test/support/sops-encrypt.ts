// Test-side sops encryption (SPEC-SOPS §2, §5): ENC values with a path AAD and the file MAC, so tests can
// build small encrypted files of their own and tamper with them, without the sops binary. A thin wrapper over
// the production encryptor (shared/core/sops/value-encrypt.ts) that also takes raw plaintext for any type.
import { createHash, randomBytes } from 'node:crypto';
import type { SopsValueType } from '../../shared/core/sops/encrypted-value.ts';
import { encryptBytes } from '../../shared/core/sops/value-encrypt.ts';

/** `ENC[AES256_GCM,…]` of `plain` under `key` with `aad` (`path.join(':') + ':'`). */
export function encryptSopsValue(plain: string, type: string, key: Buffer, aad: string): string {
  return encryptBytes(Buffer.from(plain, 'utf8'), type as SopsValueType, key, aad, randomBytes);
}

/** The sops MAC over the leaves' byte forms in order, stored encrypted with `lastmodified` as AAD. */
export function sopsMac(leafBytes: readonly string[], key: Buffer, lastModified: string): string {
  const h = createHash('sha512');
  for (const b of leafBytes) h.update(b);
  return encryptSopsValue(h.digest('hex').toUpperCase(), 'str', key, lastModified);
}

export const TEST_LASTMODIFIED = '2026-01-02T03:04:05Z';

/** A `sops:` YAML block with one age entry (never unwrapped in these tests: the data key is given). */
export function sopsYamlBlock(mac: string, extra: Record<string, string> = {}): string {
  const lines = [
    'sops:',
    '    age:',
    '        - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq',
    '          enc: not-used',
    `    lastmodified: "${TEST_LASTMODIFIED}"`,
    `    mac: ${mac}`,
    ...Object.entries(extra).map(([k, v]) => `    ${k}: ${v}`),
    '    version: 3.13.2',
  ];
  return `${lines.join('\n')}\n`;
}
