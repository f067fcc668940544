// No key material, asserted, on the paths that take keys from the user: a secret age identity pasted where a
// recipient belongs (a flag or .sops.yaml), a private PGP key file given to encrypt or rotate, and a rotation
// stopped by an entry it cannot re-wrap: no error and no output carries a private key, data key or value.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { readKey } from 'openpgp';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ageIdentitiesFromText } from '../../shared/adapters/sops/age-identities.ts';
import { AgeRecipientWrapper } from '../../shared/adapters/sops/age-recipient.ts';
import { pgpPublicKeysFromFiles } from '../../shared/adapters/sops/pgp-recipient.ts';
import { creationRuleFor, parseSopsConfig } from '../../shared/core/sops/creation-rules.ts';
import { encryptSopsFile, rotateSopsFile } from '../../shared/usecases/sops/encrypt-file.ts';
import { newAgeKey, newPgpKey } from '../support/sops-keys.ts';

const SECRET = 'hunter2-key-material-canary';

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

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/** The base64 body lines of an armored block: what would show if any part of the key leaked. */
const armorLines = (armored: string) =>
  armored.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----') && !l.includes(':'));

describe('keys given by the user stay out of errors and files', () => {
  it('an age identity given as a recipient (flag or .sops.yaml) is refused without echoing it', async () => {
    const { identity } = await newAgeKey();
    const direct = thrown(() => new AgeRecipientWrapper(identity));
    expect(everythingSaid(direct)).not.toContain(identity);
    expect(everythingSaid(direct)).not.toContain(identity.slice(20, 50));
    // From a creation rule: the rule parses (a string is a string), the wrapper refuses it, no echo either way.
    const rule = creationRuleFor(
      parseSopsConfig(`creation_rules:\n  - age: ${identity}\n`, '.sops.yaml'),
      'a',
    );
    const recipient = rule?.keyGroups[0]?.age[0] ?? '';
    expect(everythingSaid(thrown(() => new AgeRecipientWrapper(recipient)))).not.toContain(identity);
  });

  it('a private PGP key file used to encrypt contributes only its public half: the file holds no private key', async () => {
    const pgp = await newPgpKey();
    const ring = await pgpPublicKeysFromFiles([
      { name: 'priv.asc', bytes: Buffer.from(pgp.armoredPrivateKey) },
    ]);
    expect(ring.privateKeyFiles).toEqual(['priv.asc']);
    const out = await encryptSopsFile(`a: ${SECRET}\n`, 'yaml', {
      file: 's.yaml',
      recipients: [ring.wrapperFor(pgp.fingerprint)],
      rules: {},
    });
    expect(out).not.toContain(SECRET);
    const publicLines = new Set(armorLines(pgp.armoredPublicKey));
    for (const line of armorLines(pgp.armoredPrivateKey).filter((l) => !publicLines.has(l)))
      expect(out).not.toContain(line);
    const enc = (parse(out) as { sops: { pgp: { enc: string }[] } }).sops.pgp[0]?.enc ?? '';
    expect(enc).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    // The message is to the key itself, nothing else rides along.
    const key = await readKey({ armoredKey: pgp.armoredPublicKey });
    expect(ring.find(pgp.fingerprint)?.getFingerprint()).toBe(key.getFingerprint());
  });

  it('a rotation stopped by an entry it cannot re-wrap says no value, no data key and no identity', async () => {
    const age = await newAgeKey();
    const pgp = await newPgpKey();
    const withPgp = await pgpPublicKeysFromFiles([
      { name: 'pub.asc', bytes: Buffer.from(pgp.armoredPublicKey) },
    ]);
    const probe = randomBytes(32);
    let first = 1;
    const out = await encryptSopsFile(`a: ${SECRET}\n`, 'yaml', {
      file: 'r.yaml',
      recipients: [new AgeRecipientWrapper(age.recipient), withPgp.wrapperFor(pgp.fingerprint)],
      rules: {},
      random: (n) => (first-- > 0 ? probe : randomBytes(n)),
    });
    const none = await pgpPublicKeysFromFiles([]);
    const err = await rotateSopsFile(out, 'yaml', {
      file: 'r.yaml',
      sources: { age: ageIdentitiesFromText(age.identity) },
      wrapperFor: (e) => (e.type === 'pgp' ? none.wrapperFor(e.fp) : new AgeRecipientWrapper(age.recipient)),
    }).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e,
    );
    const said = everythingSaid(err);
    for (const leak of [SECRET, probe.toString('hex'), probe.toString('base64'), age.identity])
      expect(said).not.toContain(leak);
    for (const line of armorLines(pgp.armoredPrivateKey)) expect(said).not.toContain(line);
  });
});
