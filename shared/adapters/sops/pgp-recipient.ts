// SopsKeyWrapper for a PGP key over `openpgp`: the data key (or Shamir share) as the literal data of an
// armored PGP MESSAGE to the key, `fp` as given (SPEC-SOPS §7.3); public keys come from key files, not gpg.
import { createMessage, encrypt, type Key, type PublicKey, readKeys } from 'openpgp';
import { SluiceError } from '../../core/errors.ts';
import type { PgpKeyEntry } from '../../core/sops/sops-metadata.ts';
import type { SopsKeyWrapper } from '../../ports/sops-key-wrapper.ts';

const ARMOR = '-----BEGIN PGP';

/** For matching: sops accepts fingerprints with spaces (as gpg prints them), in either case. */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/\s+/g, '').toUpperCase();
}

export class PgpRecipientWrapper implements SopsKeyWrapper {
  readonly describe: string;
  private readonly fp: string;
  private readonly key: PublicKey;

  constructor(fp: string, key: PublicKey) {
    this.fp = fp;
    this.key = key;
    this.describe = `PGP key ${fp}`;
  }

  async wrap(dataKey: Uint8Array, createdAt: string): Promise<PgpKeyEntry> {
    try {
      const enc = await encrypt({
        message: await createMessage({ binary: dataKey }),
        encryptionKeys: this.key,
        format: 'armored',
      });
      return { type: 'pgp', fp: this.fp, createdAt, enc: enc as string };
    } catch {
      // openpgp's reasons (expired, revoked, no encryption subkey) are about the key, but the cause is dropped
      // so nothing of the data key's handling can ride along.
      throw new SluiceError(
        'ValidationFailed',
        `${this.describe} cannot encrypt (expired, revoked or without an encryption subkey); use a valid key`,
      );
    }
  }
}

/** Public keys (private ones count for their public half) from key files, found by fingerprint. */
export class PgpPublicKeyring {
  private readonly keys: readonly PublicKey[];
  private readonly source: string;
  /** The files that hold a private key too (those can also unwrap). */
  readonly privateKeyFiles: readonly string[];

  constructor(keys: readonly PublicKey[], source: string, privateKeyFiles: readonly string[] = []) {
    this.keys = keys;
    this.source = source;
    this.privateKeyFiles = privateKeyFiles;
  }

  get size(): number {
    return this.keys.length;
  }

  /** The key whose primary or subkey fingerprint is `fp` (or ends with it, for a 16-hex key ID). */
  find(fp: string): PublicKey | undefined {
    const want = normalizeFingerprint(fp);
    if (want.length < 16) return undefined;
    return this.keys.find((k) =>
      k.getKeys().some((sub) => sub.getFingerprint().toUpperCase().endsWith(want)),
    );
  }

  /** A wrapper for `fp`, or an error naming the fingerprint, the files searched and the fix. */
  wrapperFor(fp: string, what = `PGP key ${fp}`): PgpRecipientWrapper {
    const key = this.find(fp);
    if (!key) {
      throw new SluiceError(
        'UsageError',
        this.keys.length === 0
          ? `${what}: no PGP public key to encrypt to; give --pgp-key-file FILE with it (gpg --export --armor ${fp} > FILE)`
          : `${what}: none of the ${this.keys.length} PGP keys in ${this.source} has that fingerprint; add it with --pgp-key-file (gpg --export --armor ${fp})`,
      );
    }
    // Stored as given without spaces, as sops' NewMasterKeyFromFingerprint does (its case kept).
    return new PgpRecipientWrapper(fp.replace(/\s+/g, ''), key);
  }
}

/** Reads every key of the given files (armored or binary, public or private). */
export async function pgpPublicKeysFromFiles(
  files: readonly { name: string; bytes: Uint8Array }[],
): Promise<PgpPublicKeyring> {
  const keys: PublicKey[] = [];
  const privateKeyFiles: string[] = [];
  for (const { name, bytes } of files) {
    const text = Buffer.from(bytes).toString('latin1');
    let read: Key[];
    try {
      read = text.includes(ARMOR)
        ? await readKeys({ armoredKeys: text })
        : await readKeys({ binaryKeys: bytes });
    } catch {
      throw new SluiceError(
        'ValidationFailed',
        `${name} holds no readable OpenPGP key (export a public key with gpg --export --armor FINGERPRINT)`,
        { file: name },
      );
    }
    if (read.some((k) => k.isPrivate())) privateKeyFiles.push(name);
    keys.push(...read.map((k) => k.toPublic()));
  }
  return new PgpPublicKeyring(keys, files.map((f) => f.name).join(', ') || 'no key file', privateKeyFiles);
}
