// PgpKeys over `openpgp`: private keys from armored (.asc) or binary (.gpg) key files, unwrapping a sops
// pgp entry's armored PGP MESSAGE whose literal data is the data key (SPEC-SOPS §7.3).
import { decrypt, type PrivateKey, readMessage, readPrivateKeys } from 'openpgp';
import { SluiceError } from '../../core/errors.ts';
import type { PgpKeyEntry } from '../../core/sops/sops-metadata.ts';
import type { PgpKeys } from '../../ports/sops-key-source.ts';

const ARMOR = '-----BEGIN PGP';

/** Reads every private key of the given files (armored or binary; `source` names them in errors). */
export async function pgpKeysFromFiles(
  files: readonly Uint8Array[],
  source = 'PGP key file',
): Promise<PgpKeys> {
  const keys: PrivateKey[] = [];
  for (const bytes of files) {
    const text = Buffer.from(bytes).toString('latin1');
    try {
      keys.push(
        ...(text.includes(ARMOR)
          ? await readPrivateKeys({ armoredKeys: text })
          : await readPrivateKeys({ binaryKeys: bytes })),
      );
    } catch {
      throw new SluiceError(
        'ValidationFailed',
        `${source} holds no readable OpenPGP private key (export it with gpg --export-secret-keys --armor)`,
      );
    }
  }
  return new OpenPgpKeys(keys);
}

class OpenPgpKeys implements PgpKeys {
  readonly fingerprints: readonly string[];
  private readonly keys: PrivateKey[];

  constructor(keys: PrivateKey[]) {
    this.keys = keys;
    this.fingerprints = keys.flatMap((k) => k.getKeys().map((sub) => sub.getFingerprint().toUpperCase()));
  }

  async unwrap(entry: PgpKeyEntry): Promise<Uint8Array> {
    if (this.keys.length === 0) throw new SluiceError('ValidationFailed', 'no PGP private keys are loaded');
    let message: Awaited<ReturnType<typeof readMessage>>;
    try {
      message = await readMessage({ armoredMessage: entry.enc });
    } catch {
      throw new SluiceError('ValidationFailed', 'the enc field is not an armored PGP message');
    }
    const wanted = new Set(message.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase()));
    const usable = this.keys.filter((k) =>
      k.getKeys().some((sub) => wanted.has(sub.getKeyID().toHex().toUpperCase())),
    );
    if (usable.length === 0) {
      throw new SluiceError(
        'ValidationFailed',
        `none of the ${this.keys.length} PGP private keys is the one the message is encrypted to`,
      );
    }
    if (usable.every((k) => !k.isDecrypted())) {
      throw new SluiceError(
        'ValidationFailed',
        'the matching PGP private key is passphrase-protected; export it without a passphrase',
      );
    }
    try {
      const { data } = await decrypt({
        message,
        decryptionKeys: usable.filter((k) => k.isDecrypted()),
        format: 'binary',
      });
      return data as Uint8Array;
    } catch (err) {
      throw new SluiceError(
        'ValidationFailed',
        `the PGP message does not decrypt (${(err as Error).message})`,
      );
    }
  }
}
