// Gets a SOPS file's data key (SPEC-SOPS §7): each key group's master keys tried in Flux's order until one
// unwraps, Shamir-combined across groups; a failure lists every key tried and why, and which key would do.
import { isSluiceError, SluiceError } from '../../core/errors.ts';
import { FLUX_DECRYPTION_ORDER, keyGroupOrder, shamirCombine } from '../../core/sops/shamir.ts';
import type { SopsKeyEntry, SopsKeyGroup, SopsMetadata } from '../../core/sops/sops-metadata.ts';
import type { SopsKeySources } from '../../ports/sops-key-source.ts';

export interface UnwrapOptions {
  /** The file being decrypted, named in every error. */
  file?: string;
  /** sops' decryption order; Flux passes sops.DefaultDecryptionOrder ([age, pgp]). */
  decryptionOrder?: readonly string[];
}

interface Attempt {
  entry: SopsKeyEntry;
  key: string;
  reason: string;
  error: SluiceError | undefined;
}

interface GroupOutcome {
  unwrapped: boolean;
  tried: Attempt[];
}

/** Resolves to the 32-byte data key; rejects with one SluiceError naming the file, the keys tried and the fix. */
export async function unwrapDataKey(
  metadata: Pick<SopsMetadata, 'keyGroups' | 'shamirThreshold'>,
  sources: SopsKeySources,
  options: UnwrapOptions = {},
): Promise<Buffer> {
  const file = options.file ?? 'the SOPS file';
  const order = options.decryptionOrder ?? FLUX_DECRYPTION_ORDER;
  const groups = metadata.keyGroups;
  if (groups.length === 0) {
    throw new SluiceError(
      'ValidationFailed',
      `${file} has no keys in its sops metadata (No keys found in file)`,
      {
        file: options.file,
      },
    );
  }
  const threshold = metadata.shamirThreshold;
  const shares: Uint8Array[] = [];
  const outcomes: GroupOutcome[] = [];
  for (const group of groups) {
    const tried: Attempt[] = [];
    const share = await unwrapGroup(group, sources, order, tried);
    outcomes.push({ unwrapped: share !== undefined, tried });
    if (share) shares.push(share);
    // Any `threshold` shares give the same secret: stop before asking KMS for more than needed.
    if (groups.length > 1 && threshold > 0 && shares.length >= threshold) break;
  }

  if (groups.length === 1) {
    if (shares.length === 1) return Buffer.from(shares[0] as Uint8Array);
    throw failure(file, options.file, outcomes, 'no key of its key group could be used');
  }
  const needed = Math.max(threshold, 2);
  if (shares.length < needed) {
    const what = `${shares.length} of its ${groups.length} key groups unwrapped, ${needed} are needed (Shamir threshold)`;
    throw failure(file, options.file, outcomes, what);
  }
  try {
    return Buffer.from(shamirCombine(shares));
  } catch (err) {
    throw new SluiceError(
      'ValidationFailed',
      `${file}: the key groups' Shamir shares do not combine (${(err as Error).message}); the sops metadata is damaged, re-encrypt the file`,
      { file: options.file, cause: err },
    );
  }
}

async function unwrapGroup(
  group: SopsKeyGroup,
  sources: SopsKeySources,
  order: readonly string[],
  tried: Attempt[],
): Promise<Uint8Array | undefined> {
  for (const index of keyGroupOrder(group, order)) {
    const entry = group[index] as SopsKeyEntry;
    try {
      const share = await unwrapEntry(entry, sources);
      if (share) return share;
      tried.push({ entry, key: describeKey(entry), reason: missingSourceReason(entry), error: undefined });
    } catch (err) {
      const error = isSluiceError(err) ? err : undefined;
      // Only our own messages are known to be free of key material; anything else is reduced to its name.
      const reason = error ? error.message : `${(err as Error)?.name ?? 'Error'} while unwrapping`;
      tried.push({ entry, key: describeKey(entry), reason, error });
    }
  }
  return undefined;
}

/** undefined when no source for the entry's type was given. */
async function unwrapEntry(entry: SopsKeyEntry, sources: SopsKeySources): Promise<Uint8Array | undefined> {
  switch (entry.type) {
    case 'age':
      return sources.age?.unwrap(entry);
    case 'pgp':
      return sources.pgp?.unwrap(entry);
    case 'kms':
      return sources.kms?.unwrap(entry);
    default:
      return undefined;
  }
}

function missingSourceReason(entry: SopsKeyEntry): string {
  switch (entry.type) {
    case 'age':
      return 'no age identities provided (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or a .agekey entry of the decryption Secret)';
    case 'pgp':
      return 'no PGP private keys provided (an .asc entry of the decryption Secret or --pgp-key-file)';
    case 'kms':
      return 'no AWS KMS access configured (a sops.aws-kms entry of the decryption Secret, or AWS credentials of the control plane)';
    default:
      return `${keyTypeName(entry.type)} keys are not supported by Sluice`;
  }
}

/** The key services sops supports and Sluice does not, by metadata type. */
const UNSUPPORTED_SERVICES: Readonly<Record<string, string>> = {
  azure_kv: 'Azure Key Vault',
  gcp_kms: 'GCP KMS',
  hc_vault: 'HashiCorp Vault/OpenBao transit',
  hckms: 'HuaweiCloud KMS',
};

function keyTypeName(type: string): string {
  const service = Object.hasOwn(UNSUPPORTED_SERVICES, type) ? UNSUPPORTED_SERVICES[type] : undefined;
  return service ? `${type} (${service})` : type;
}

function isSupported(entry: SopsKeyEntry): boolean {
  return entry.type === 'age' || entry.type === 'pgp' || entry.type === 'kms';
}

/** How to move a file off key services Sluice cannot use: re-encrypt it to one it can. */
function reencryptFix(file: string, types: readonly string[]): string {
  return `re-encrypt ${file} to an age, AWS KMS or PGP key: decrypt it where its ${types.join(' or ')} key works (sops -d ${file} > PLAIN) and seal it with sluice secrets encrypt PLAIN --age age1… or --kms arn:aws:kms:… (or add such a key to the file with sops updatekeys)`;
}

/** Public identifiers only: recipient, fingerprint, ARN and role, never `enc`. */
export function describeKey(entry: SopsKeyEntry): string {
  switch (entry.type) {
    case 'age':
      return `age ${entry.recipient}`;
    case 'pgp':
      return `pgp ${entry.fp}`;
    case 'kms':
      return `kms ${entry.arn}${entry.role ? ` (role ${entry.role})` : ''}`;
    default: {
      const id = Object.values(entry.fields).find((v) => v.length > 0);
      return id ? `${entry.type} ${id}` : entry.type;
    }
  }
}

/** What would unwrap this entry, as the user would provide it. */
function keyToProvide(entry: SopsKeyEntry): string {
  switch (entry.type) {
    case 'age':
      return `the age identity of ${entry.recipient} (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or a .agekey entry of the decryption Secret)`;
    case 'pgp':
      return `the PGP private key ${entry.fp} (an .asc entry of the decryption Secret)`;
    case 'kms':
      return `kms:Decrypt on ${entry.arn} for ${entry.role ? `role ${entry.role}` : 'the role Sluice runs as'}`;
    default:
      return `an age, PGP or AWS KMS key instead of ${keyTypeName(entry.type)}`;
  }
}

function failure(
  file: string,
  fileField: string | undefined,
  outcomes: GroupOutcome[],
  what: string,
): SluiceError {
  const all = outcomes.filter((o) => !o.unwrapped).flatMap((o) => o.tried);
  const lines = outcomes.map(
    (o, i) =>
      `group ${i + 1}: ${o.unwrapped ? 'unwrapped' : o.tried.map((a) => `${a.key}: ${a.reason}`).join('; ')}`,
  );
  const retryable = all.some((a) => a.error?.retryable === true);
  const denied = all.some((a) => a.error?.code === 'AccessDenied');
  const code = retryable ? 'KeyServiceUnavailable' : denied ? 'AccessDenied' : 'ValidationFailed';
  const unsupported = [...new Set(all.filter((a) => !isSupported(a.entry)).map((a) => a.entry.type))];
  if (all.length > 0 && all.every((a) => !isSupported(a.entry))) {
    return new SluiceError(
      'ValidationFailed',
      `cannot decrypt the data key of ${file}: ${what}; its keys there are only ${unsupported.map(keyTypeName).join(', ')}, which Sluice cannot use. Tried ${lines.join('. ')}. Fix: ${reencryptFix(file, unsupported)}`,
      { file: fileField },
    );
  }
  const fix = retryable
    ? 'the key service is unavailable; this will be retried'
    : `provide one of: ${[...new Set(all.filter((a) => isSupported(a.entry)).map((a) => keyToProvide(a.entry)))].join('; ')}${
        unsupported.length > 0 ? `; or ${reencryptFix(file, unsupported)}` : ''
      }`;
  return new SluiceError(
    code,
    `cannot decrypt the data key of ${file}: ${what}. Tried ${lines.join('. ')}. Fix: ${fix}`,
    { retryable, file: fileField },
  );
}
