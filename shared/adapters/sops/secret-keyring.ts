// SopsKeyring over the shipped age, OpenPGP and KMS adapters, importing a decryption Secret as
// kustomize-controller's ImportKeys does: `*.agekey` age identities, `*.asc` PGP keys, `sops.aws-kms` credentials.
import { SluiceError } from '../../core/errors.ts';
import type { AwsCredentials } from '../../ports/role-assumer.ts';
import type { AgeIdentities, KmsDecrypter, SopsKeySources } from '../../ports/sops-key-source.ts';
import type { SopsKeyring } from '../../ports/sops-keyring.ts';
import { ageIdentitiesFromText } from './age-identities.ts';
import { AWS_KMS_ENTRY, parseAwsKmsEntry } from './aws-kms-entry.ts';
import { pgpKeysFromFiles } from './pgp-keys.ts';

export interface SecretKeyringOptions {
  /** The control plane's own KMS access (its role). Without it, KMS entries fail "no AWS KMS access configured". */
  kms?: KmsDecrypter;
  /**
   * KMS through a decryption Secret's `sops.aws-kms` static credentials, which then replace `kms` for that
   * Kustomization (entry roles assumed with them). `who` names the entry in errors. Without it the entry is refused.
   */
  kmsWith?: (credentials: AwsCredentials, who: string) => KmsDecrypter;
  /**
   * The control plane's own age identities (embedded mode's key). Used when the Secret holds no `*.agekey`
   * identity, as kustomize-controller's sops falls back to the controller's own age keys only then.
   */
  age?: AgeIdentities;
}

export class SecretKeyring implements SopsKeyring {
  private readonly opts: SecretKeyringOptions;

  constructor(opts: SecretKeyringOptions = {}) {
    this.opts = opts;
  }

  async keySources(
    entries: Readonly<Record<string, string>> | undefined,
    source: string,
  ): Promise<SopsKeySources> {
    const sources: SopsKeySources = {};
    const names = Object.keys(entries ?? {}).sort();
    const age = names.filter((n) => n.endsWith('.agekey'));
    const pgp = names.filter((n) => n.endsWith('.asc'));
    if (entries && age.length > 0)
      sources.age = ageIdentitiesFromText(
        age.map((n) => entries[n] ?? ''),
        `${source} entries ${age.join(', ')}`,
      );
    else if (this.opts.age) sources.age = this.opts.age;
    if (entries && pgp.length > 0)
      sources.pgp = await pgpKeysFromFiles(
        pgp.map((n) => Buffer.from(entries[n] ?? '', 'utf8')),
        `${source} entries ${pgp.join(', ')}`,
      );
    const kms = entries?.[AWS_KMS_ENTRY];
    if (kms !== undefined) sources.kms = this.staticKms(kms, `${source} entry ${AWS_KMS_ENTRY}`);
    else if (this.opts.kms) sources.kms = this.opts.kms;
    return sources;
  }

  /** Flux replaces the controller's AWS credentials with the entry's: never a fallback to the role. */
  private staticKms(text: string, entry: string): KmsDecrypter {
    const parsed = parseAwsKmsEntry(text, entry);
    const who = `the credentials of ${entry}`;
    if (!parsed.ok)
      return refusing(`${who} are empty (no ${parsed.missing.join(', ')}); set them in ${entry}`);
    if (!this.opts.kmsWith)
      throw new SluiceError(
        'ConfigInvalid',
        `${entry}: this Sluice process cannot call KMS with static credentials`,
      );
    return this.opts.kmsWith(parsed.credentials, who);
  }
}

/** A KmsDecrypter failing every entry with `why`, as Flux's empty static credentials fail at each Decrypt. */
function refusing(why: string): KmsDecrypter {
  return {
    unwrap: async (entry) => {
      throw new SluiceError('ConfigInvalid', `KMS Decrypt on ${entry.arn} not attempted: ${why}`);
    },
  };
}
