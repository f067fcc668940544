// Port: the keys that unwrap a SOPS file's data key — age identities, PGP private keys, AWS KMS — each
// taking one metadata entry and returning the data key (or its Shamir share), or failing with a reason.
import type { AgeKeyEntry, KmsKeyEntry, PgpKeyEntry } from '../core/sops/sops-metadata.ts';

/**
 * Every failure is a SluiceError whose message is safe to show: it names the entry (recipient,
 * fingerprint, ARN, role) and why, never a key, a share or a decrypted byte.
 */
export interface AgeIdentities {
  /** How many identities are loaded: errors say "3 age identities" so a missing one is obvious. */
  readonly count: number;
  /** Decrypts the entry's armored age file with any loaded identity (the recipient is informational). */
  unwrap(entry: AgeKeyEntry): Promise<Uint8Array>;
}

export interface PgpKeys {
  /** Fingerprints (uppercase hex) of the loaded private keys and their subkeys, for error messages. */
  readonly fingerprints: readonly string[];
  unwrap(entry: PgpKeyEntry): Promise<Uint8Array>;
}

export interface KmsDecrypter {
  /**
   * kms:Decrypt with KeyId = the stored ARN, the entry's exact encryption context, as the entry's role when
   * it has one. Denied/disabled/wrong region: not retryable; throttling and 5xx: retryable.
   */
  unwrap(entry: KmsKeyEntry): Promise<Uint8Array>;
}

/** Whatever keys the caller holds; a missing source means that key type is skipped with a reason. */
export interface SopsKeySources {
  age?: AgeIdentities;
  pgp?: PgpKeys;
  kms?: KmsDecrypter;
}
