// The `sops:` metadata block of an encrypted file, typed as SPEC-SOPS §6 (stores/stores.go `metadata`).
// Shared by the format reader (which fills it) and the data-key unwrapping (which reads the key groups).

/** An age recipient entry: `enc` is an armored age file holding the data key (or its Shamir share). */
export interface AgeKeyEntry {
  type: 'age';
  recipient: string;
  enc: string;
}

/** A PGP entry: `fp` is the fingerprint, `enc` an armored PGP MESSAGE. */
export interface PgpKeyEntry {
  type: 'pgp';
  fp: string;
  createdAt: string;
  enc: string;
}

/** An AWS KMS entry: Decrypt with KeyId = `arn`, EncryptionContext = `context`, optionally as `role`. */
export interface KmsKeyEntry {
  type: 'kms';
  arn: string;
  role: string | undefined;
  /** The exact encryption context; empty when absent. */
  context: Record<string, string>;
  createdAt: string;
  /** Base64 of the KMS CiphertextBlob. */
  enc: string;
  /** Kept for completeness; Flux drops it (SPEC-SOPS §11). */
  awsProfile: string | undefined;
}

/** Key types Sluice reads but cannot unwrap (yet): kept so errors can name them. */
export interface OtherKeyEntry {
  type: 'gcp_kms' | 'hckms' | 'azure_kv' | 'hc_vault';
  /** The raw fields as stored (resource_id, vault_url, key_name, …). */
  fields: Record<string, string>;
  enc: string;
}

export type SopsKeyEntry = AgeKeyEntry | PgpKeyEntry | KmsKeyEntry | OtherKeyEntry;

/** One key group: any one entry unwraps the group's data key (or Shamir share). Entries in sops' group order
 * (kms, gcp_kms, hckms, azure_kv, hc_vault, pgp, age — `internalGroupFrom`); decryption order is the caller's. */
export type SopsKeyGroup = readonly SopsKeyEntry[];

/** At most one of these is set (SPEC-SOPS §4); none set means `unencryptedSuffix: '_unencrypted'`. */
export interface SopsCryptRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  unencryptedCommentRegex?: string;
  encryptedCommentRegex?: string;
}

export interface SopsMetadata {
  /** One group when the file has top-level key lists, else one per `key_groups` entry. Never empty. */
  keyGroups: readonly SopsKeyGroup[];
  /** Shamir threshold for multi-group files; 0 when absent. */
  shamirThreshold: number;
  /** `lastmodified` as stored (RFC 3339). */
  lastModified: string;
  /** `lastmodified` canonicalized as Go's RFC3339 parse/format: the MAC's AAD (SPEC-SOPS §5). */
  macAad: string;
  /** The stored `ENC[…]` MAC; '' when missing. */
  mac: string;
  version: string;
  /** Exactly the rule the file carries (the default suffix applied when it carries none). */
  rules: SopsCryptRules;
  macOnlyEncrypted: boolean;
}

export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';
