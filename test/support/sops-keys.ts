// Real age and PGP keys for SOPS key tests: fresh identities, and metadata entries wrapping a data key (or
// Shamir share) to them exactly as sops writes them (armored age file, armored PGP message).
import { armor, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { createMessage, encrypt, generateKey, readKey } from 'openpgp';
import type { AgeKeyEntry, PgpKeyEntry } from '../../shared/core/sops/sops-metadata.ts';

export interface AgeTestKey {
  identity: string;
  recipient: string;
}

export async function newAgeKey(): Promise<AgeTestKey> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

export async function ageEntry(recipient: string, secret: Uint8Array): Promise<AgeKeyEntry> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return { type: 'age', recipient, enc: armor.encode(await e.encrypt(secret)) };
}

export interface PgpTestKey {
  armoredPrivateKey: string;
  armoredPublicKey: string;
  fingerprint: string;
}

/** An unprotected curve25519 key, as a decryption Secret would hold it. */
export async function newPgpKey(): Promise<PgpTestKey> {
  const { privateKey, publicKey } = await generateKey({
    type: 'curve25519',
    userIDs: [{ name: 'sluice test', email: 'test@example.invalid' }],
    format: 'armored',
  });
  const key = await readKey({ armoredKey: publicKey });
  return {
    armoredPrivateKey: privateKey,
    armoredPublicKey: publicKey,
    fingerprint: key.getFingerprint().toUpperCase(),
  };
}

export async function pgpEntry(
  key: { armoredPublicKey: string; fingerprint: string },
  secret: Uint8Array,
): Promise<PgpKeyEntry> {
  const encryptionKeys = await readKey({ armoredKey: key.armoredPublicKey });
  const enc = await encrypt({
    message: await createMessage({ binary: secret }),
    encryptionKeys,
    format: 'armored',
  });
  return { type: 'pgp', fp: key.fingerprint, createdAt: '2026-01-01T00:00:00Z', enc: enc as string };
}
