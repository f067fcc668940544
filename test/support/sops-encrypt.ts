// Test-side sops encryption (SPEC-SOPS §2, §5): ENC values with a path AAD and the file MAC, so tests can
// build small encrypted files of their own and tamper with them, without the sops binary.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/** `ENC[AES256_GCM,…]` of `plain` under `key` with `aad` (`path.join(':') + ':'`). */
export function encryptSopsValue(plain: string, type: string, key: Buffer, aad: string): string {
  if (plain === '') return '';
  const iv = randomBytes(32);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  const b64 = (b: Buffer) => b.toString('base64');
  return `ENC[AES256_GCM,data:${b64(data)},iv:${b64(iv)},tag:${b64(c.getAuthTag())},type:${type}]`;
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
