import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ageIdentitiesFromText } from '../../../../shared/adapters/sops/age-identities.ts';
import { AgeRecipientWrapper } from '../../../../shared/adapters/sops/age-recipient.ts';
import { decryptSopsFile, readSopsMetadata } from '../../../../shared/core/sops/decrypt-sops-file.ts';
import { loadPlainFile, sealLoadedFile } from '../../../../shared/core/sops/encrypt-sops-file.ts';
import { shamirSplit } from '../../../../shared/core/sops/shamir.ts';
import type { SopsKeyEntry } from '../../../../shared/core/sops/sops-metadata.ts';
import { encryptSopsFile, rotateSopsFile } from '../../../../shared/usecases/sops/encrypt-file.ts';
import { unwrapDataKey } from '../../../../shared/usecases/sops/unwrap-data-key.ts';
import { rejectionOf } from '../../../support/error-of.ts';
import { type AgeTestKey, ageEntry, newAgeKey } from '../../../support/sops-keys.ts';

const PLAIN = 'user: admin\npassword: hunter2\n';
let a: AgeTestKey;
let b: AgeTestKey;
beforeAll(async () => {
  a = await newAgeKey();
  b = await newAgeKey();
});

const sources = (...keys: AgeTestKey[]) => ({
  age: ageIdentitiesFromText(keys.map((k) => k.identity).join('\n'), 'test keys'),
});
const wrapperFor = (e: SopsKeyEntry) => new AgeRecipientWrapper(e.type === 'age' ? e.recipient : '');

async function open(text: string, ...keys: AgeTestKey[]) {
  const md = readSopsMetadata(text, 'yaml');
  const key = await unwrapDataKey(md, sources(...keys));
  return { key, plain: decryptSopsFile(text, 'yaml', key).plaintext };
}

describe('encryptSopsFile', () => {
  it('wraps one fresh data key for every recipient; each alone decrypts the file', async () => {
    const out = await encryptSopsFile(PLAIN, 'yaml', {
      file: 's.yaml',
      recipients: [new AgeRecipientWrapper(a.recipient), new AgeRecipientWrapper(b.recipient)],
      rules: {},
    });
    const viaA = await open(out, a);
    const viaB = await open(out, b);
    expect(viaA.plain).toBe(PLAIN);
    expect(Buffer.from(viaA.key).equals(Buffer.from(viaB.key))).toBe(true);
    const again = await encryptSopsFile(PLAIN, 'yaml', {
      file: 's.yaml',
      recipients: [new AgeRecipientWrapper(a.recipient)],
      rules: {},
    });
    expect(Buffer.from((await open(again, a)).key).equals(Buffer.from(viaA.key))).toBe(false);
  });

  it('without recipients is a usage error naming the file', async () => {
    const err = await rejectionOf(
      encryptSopsFile(PLAIN, 'yaml', { file: 's.yaml', recipients: [], rules: {} }),
    );
    expect(err.code).toBe('UsageError');
    expect(err.message).toContain('s.yaml');
  });
});

describe('rotateSopsFile', () => {
  it('keeps two key groups and their Shamir threshold; one identity per group opens the rotated file', async () => {
    const dataKey = randomBytes(32);
    const shares = shamirSplit(dataKey, 2, 2, (n) => new Uint8Array(randomBytes(n)));
    const text = sealLoadedFile(loadPlainFile(PLAIN, 'yaml', 'g.yaml'), 'yaml', {
      dataKey,
      keyGroups: [
        [await ageEntry(a.recipient, shares[0] as Uint8Array)],
        [await ageEntry(b.recipient, shares[1] as Uint8Array)],
      ],
      shamirThreshold: 2,
      rules: {},
      now: new Date(),
      random: randomBytes,
      fileName: 'g.yaml',
    });
    const rotated = await rotateSopsFile(text, 'yaml', {
      file: 'g.yaml',
      sources: sources(a, b),
      wrapperFor,
    });
    const md = parse(rotated).sops as {
      shamir_threshold: number;
      key_groups: { age: { recipient: string }[] }[];
    };
    expect(md.shamir_threshold).toBe(2);
    expect(md.key_groups.map((g) => g.age[0]?.recipient)).toEqual([a.recipient, b.recipient]);
    const opened = await open(rotated, a, b);
    expect(opened.plain).toBe(PLAIN);
    expect(Buffer.from(opened.key).equals(dataKey)).toBe(false);
  });

  it('refuses a file edited after encryption (MAC mismatch) instead of re-signing it', async () => {
    const out = await encryptSopsFile(PLAIN, 'yaml', {
      file: 's.yaml',
      recipients: [new AgeRecipientWrapper(a.recipient)],
      rules: { unencryptedRegex: '^user$' },
    });
    const tampered = out.replace('user: admin', 'user: root');
    const err = await rejectionOf(
      rotateSopsFile(tampered, 'yaml', { file: 's.yaml', sources: sources(a), wrapperFor }),
    );
    expect(err.code).toBe('MacMismatch');
    expect(err.message).toContain('s.yaml');
    expect(err.message).not.toContain('hunter2');
  });
});
