import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ageIdentitiesFromText } from '../../../../shared/adapters/sops/age-identities.ts';
import { AgeRecipientWrapper } from '../../../../shared/adapters/sops/age-recipient.ts';
import { pgpKeysFromFiles } from '../../../../shared/adapters/sops/pgp-keys.ts';
import { pgpPublicKeysFromFiles } from '../../../../shared/adapters/sops/pgp-recipient.ts';
import { decryptSopsFile, readSopsMetadata } from '../../../../shared/core/sops/decrypt-sops-file.ts';
import { loadPlainFile, sealLoadedFile } from '../../../../shared/core/sops/encrypt-sops-file.ts';
import { shamirSplit } from '../../../../shared/core/sops/shamir.ts';
import type { SopsKeyEntry } from '../../../../shared/core/sops/sops-metadata.ts';
import { encryptSopsFile, rotateSopsFile } from '../../../../shared/usecases/sops/encrypt-file.ts';
import { unwrapDataKey } from '../../../../shared/usecases/sops/unwrap-data-key.ts';
import { rejectionOf } from '../../../support/error-of.ts';
import {
  type AgeTestKey,
  ageEntry,
  newAgeKey,
  newPgpKey,
  type PgpTestKey,
} from '../../../support/sops-keys.ts';

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

describe('encryptSopsFile with key groups (Shamir)', () => {
  let c: AgeTestKey;
  beforeAll(async () => {
    c = await newAgeKey();
  });
  const threeGroups = () => [a, b, c].map((k) => [new AgeRecipientWrapper(k.recipient)]);

  it('splits the data key over the groups: any two of three open the file, one alone does not', async () => {
    const out = await encryptSopsFile(PLAIN, 'yaml', {
      file: 'g.yaml',
      keyGroups: threeGroups(),
      shamirThreshold: 2,
      rules: {},
    });
    const md = parse(out).sops as Record<string, unknown>;
    // The spec's layout for several groups: shamir_threshold and key_groups, no top-level key lists.
    expect(Object.keys(md).slice(0, 2)).toEqual(['shamir_threshold', 'key_groups']);
    expect(md.shamir_threshold).toBe(2);
    expect(md.age).toBeUndefined();
    expect((md.key_groups as unknown[]).length).toBe(3);
    expect((await open(out, a, c)).plain).toBe(PLAIN);
    expect((await open(out, b, c)).plain).toBe(PLAIN);
    expect((await rejectionOf(open(out, b))).code).toBe('ValidationFailed');
  });

  it('without a threshold every group is needed, as sops defaults it to the number of groups', async () => {
    const out = await encryptSopsFile(PLAIN, 'yaml', { file: 'g.yaml', keyGroups: threeGroups(), rules: {} });
    expect((parse(out).sops as Record<string, unknown>).shamir_threshold).toBe(3);
    expect((await open(out, a, b, c)).plain).toBe(PLAIN);
    await rejectionOf(open(out, a, b));
  });

  it.each([1, 4])('a threshold of %i for three groups is a usage error naming the file', async (t) => {
    const err = await rejectionOf(
      encryptSopsFile(PLAIN, 'yaml', {
        file: 'g.yaml',
        keyGroups: threeGroups(),
        shamirThreshold: t,
        rules: {},
      }),
    );
    expect(err.code).toBe('UsageError');
    expect(err.message).toContain('g.yaml');
  });

  it('an empty key group is a usage error, before any key is wrapped', async () => {
    const err = await rejectionOf(
      encryptSopsFile(PLAIN, 'yaml', {
        file: 'g.yaml',
        keyGroups: [[new AgeRecipientWrapper(a.recipient)], []],
        rules: {},
      }),
    );
    expect(err.code).toBe('UsageError');
  });
});

describe('rotateSopsFile with PGP entries', () => {
  let pgp: PgpTestKey;
  beforeAll(async () => {
    pgp = await newPgpKey();
  });

  it('re-wraps a PGP entry with the public key of its fingerprint, beside age; the private key opens it', async () => {
    const ring = await pgpPublicKeysFromFiles([
      { name: 'pub.asc', bytes: Buffer.from(pgp.armoredPublicKey) },
    ]);
    const out = await encryptSopsFile(PLAIN, 'yaml', {
      file: 'p.yaml',
      recipients: [ring.wrapperFor(pgp.fingerprint), new AgeRecipientWrapper(a.recipient)],
      rules: {},
    });
    const before = parse(out).sops as { pgp: { fp: string; enc: string }[] };
    expect(before.pgp[0]?.fp).toBe(pgp.fingerprint);
    const rotated = await rotateSopsFile(out, 'yaml', {
      file: 'p.yaml',
      sources: sources(a),
      wrapperFor: (e) => (e.type === 'pgp' ? ring.wrapperFor(e.fp) : wrapperFor(e)),
    });
    const after = parse(rotated).sops as typeof before;
    expect(after.pgp[0]?.fp).toBe(pgp.fingerprint);
    expect(after.pgp[0]?.enc).not.toBe(before.pgp[0]?.enc);
    const keys = await pgpKeysFromFiles([Buffer.from(pgp.armoredPrivateKey)]);
    const md = readSopsMetadata(rotated, 'yaml');
    const viaPgp = await unwrapDataKey(md, { pgp: keys });
    expect(decryptSopsFile(rotated, 'yaml', Buffer.from(viaPgp)).plaintext).toBe(PLAIN);
    expect(Buffer.from(viaPgp).equals(Buffer.from((await open(out, a)).key))).toBe(false);
  });

  it('an entry without a wrapper stops the rotation naming its group and key, before any key is unwrapped', async () => {
    const ring = await pgpPublicKeysFromFiles([
      { name: 'pub.asc', bytes: Buffer.from(pgp.armoredPublicKey) },
    ]);
    const out = await encryptSopsFile(PLAIN, 'yaml', {
      file: 'p.yaml',
      keyGroups: [[new AgeRecipientWrapper(a.recipient)], [ring.wrapperFor(pgp.fingerprint)]],
      rules: {},
    });
    const empty = await pgpPublicKeysFromFiles([]);
    let unwrapped = 0;
    const err = await rejectionOf(
      rotateSopsFile(out, 'yaml', {
        file: 'p.yaml',
        sources: {
          age: {
            count: 1,
            unwrap: async () => {
              unwrapped++;
              return new Uint8Array(33);
            },
          },
        },
        wrapperFor: (e) => (e.type === 'pgp' ? empty.wrapperFor(e.fp, 'its PGP key') : wrapperFor(e)),
      }),
    );
    expect(err.code).toBe('UsageError');
    expect(err.message).toContain('p.yaml');
    expect(err.message).toContain(`key_groups[1] pgp ${pgp.fingerprint}`);
    expect(err.message).toContain('--pgp-key-file');
    expect(unwrapped).toBe(0);
  });
});
