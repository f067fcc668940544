import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ageIdentitiesFromText } from '../../../../shared/adapters/sops/age-identities.ts';
import { pgpKeysFromFiles } from '../../../../shared/adapters/sops/pgp-keys.ts';
import { shamirSplit } from '../../../../shared/core/sops/shamir.ts';
import type { AgeKeyEntry, PgpKeyEntry, SopsKeyEntry } from '../../../../shared/core/sops/sops-metadata.ts';
import type { AgeIdentities, PgpKeys } from '../../../../shared/ports/sops-key-source.ts';
import { unwrapDataKey } from '../../../../shared/usecases/sops/unwrap-data-key.ts';
import { errorOf, rejectionOf } from '../../../support/error-of.ts';
import {
  type AgeTestKey,
  ageEntry,
  newAgeKey,
  newPgpKey,
  type PgpTestKey,
  pgpEntry,
} from '../../../support/sops-keys.ts';

const dataKey = new Uint8Array(randomBytes(32));
const random = (n: number) => new Uint8Array(randomBytes(n));
let ageA: AgeTestKey;
let ageB: AgeTestKey;
let ageC: AgeTestKey;
let pgp: PgpTestKey;

beforeAll(async () => {
  [ageA, ageB, ageC, pgp] = await Promise.all([newAgeKey(), newAgeKey(), newAgeKey(), newPgpKey()]);
});

/** Real sources that also record which entries they were asked to unwrap. */
function recording(age: AgeIdentities, pgpKeys: PgpKeys, log: string[]) {
  return {
    age: {
      count: age.count,
      unwrap: (e: AgeKeyEntry) => {
        log.push(`age ${e.recipient}`);
        return age.unwrap(e);
      },
    },
    pgp: {
      fingerprints: pgpKeys.fingerprints,
      unwrap: (e: PgpKeyEntry) => {
        log.push(`pgp ${e.fp}`);
        return pgpKeys.unwrap(e);
      },
    },
  };
}

/** Everything that must never show in an error: identities, private keys, the data key and its shares. */
function expectNoKeyMaterial(err: Error, ...secrets: string[]) {
  const text = `${err.message} ${String(err.cause ?? '')} ${JSON.stringify(err)}`;
  for (const s of [
    Buffer.from(dataKey).toString('hex'),
    Buffer.from(dataKey).toString('base64'),
    ...secrets,
  ]) {
    expect(text).not.toContain(s);
  }
}

describe('unwrapDataKey', () => {
  it('tries age before pgp, as Flux passes sops.DefaultDecryptionOrder', async () => {
    const group: SopsKeyEntry[] = [await pgpEntry(pgp, dataKey), await ageEntry(ageA.recipient, dataKey)];
    const log: string[] = [];
    const sources = recording(
      ageIdentitiesFromText(ageA.identity),
      await pgpKeysFromFiles([Buffer.from(pgp.armoredPrivateKey)]),
      log,
    );
    const key = await unwrapDataKey({ keyGroups: [group], shamirThreshold: 0 }, sources);
    expect(key).toEqual(Buffer.from(dataKey));
    expect(log).toEqual([`age ${ageA.recipient}`]);
  });

  it('falls back to the next key when the first does not match', async () => {
    const group: SopsKeyEntry[] = [await ageEntry(ageA.recipient, dataKey), await pgpEntry(pgp, dataKey)];
    const log: string[] = [];
    const sources = recording(
      ageIdentitiesFromText(ageB.identity),
      await pgpKeysFromFiles([Buffer.from(pgp.armoredPrivateKey)]),
      log,
    );
    expect(await unwrapDataKey({ keyGroups: [group], shamirThreshold: 0 }, sources)).toEqual(
      Buffer.from(dataKey),
    );
    expect(log).toEqual([`age ${ageA.recipient}`, `pgp ${pgp.fingerprint}`]);
  });

  it('fails naming the file, every key tried and why, with no key material', async () => {
    const group: SopsKeyEntry[] = [
      await ageEntry(ageA.recipient, dataKey),
      await pgpEntry(pgp, dataKey),
      {
        type: 'hc_vault',
        fields: { vault_address: 'https://vault.example', key_name: 'k' },
        enc: 'vault:v1:x',
      },
    ];
    const err = await rejectionOf(
      unwrapDataKey(
        { keyGroups: [group], shamirThreshold: 0 },
        { age: ageIdentitiesFromText(ageB.identity) },
        {
          file: 'apps/secret.yaml',
        },
      ),
    );
    expect(err.code).toBe('ValidationFailed');
    expect(err.retryable).toBe(false);
    expect(err.file).toBe('apps/secret.yaml');
    for (const named of ['apps/secret.yaml', ageA.recipient, pgp.fingerprint, 'SOPS_AGE_KEY', 'hc_vault']) {
      expect(err.message).toContain(named);
    }
    expectNoKeyMaterial(err, ageA.identity, ageB.identity, pgp.armoredPrivateKey.split('\n')[3] as string);
  });

  it('combines Shamir shares from any threshold of the key groups', async () => {
    const shares = shamirSplit(dataKey, 3, 2, random);
    const groups = await Promise.all(
      [ageA, ageB, ageC].map(async (k, i) => [await ageEntry(k.recipient, shares[i] as Uint8Array)]),
    );
    const held = ageIdentitiesFromText([ageA.identity, ageC.identity].join('\n'));
    expect(await unwrapDataKey({ keyGroups: groups, shamirThreshold: 2 }, { age: held })).toEqual(
      Buffer.from(dataKey),
    );

    const tooFew = await rejectionOf(
      unwrapDataKey({ keyGroups: groups, shamirThreshold: 2 }, { age: ageIdentitiesFromText(ageB.identity) }),
    );
    expect(tooFew.code).toBe('ValidationFailed');
    expect(tooFew.message).toContain('1 of its 3 key groups unwrapped, 2 are needed');
    expectNoKeyMaterial(tooFew, ageB.identity, ...shares.map((s) => Buffer.from(s).toString('hex')));
  });

  it('refuses metadata without key groups', async () => {
    expect((await rejectionOf(unwrapDataKey({ keyGroups: [], shamirThreshold: 0 }, {}))).code).toBe(
      'ValidationFailed',
    );
  });
});

describe('age identities from text', () => {
  it('skips comments and blank lines, as a SOPS_AGE_KEY_FILE does', async () => {
    const ids = ageIdentitiesFromText(
      `# created: now\n# public key: ${ageA.recipient}\n\n${ageA.identity}\r\n`,
    );
    expect(ids.count).toBe(1);
    expect(await ids.unwrap(await ageEntry(ageA.recipient, dataKey))).toEqual(dataKey);
  });

  it('refuses a line that is no identity without quoting it', () => {
    const err = errorOf(() =>
      ageIdentitiesFromText(`${ageA.identity}\nAGE-SECRET-KEY-1NOTAKEY\n`, 'SOPS_AGE_KEY'),
    );
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain('SOPS_AGE_KEY');
    expect(err.message).not.toContain('NOTAKEY');
  });
});
