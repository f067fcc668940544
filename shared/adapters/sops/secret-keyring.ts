// SopsKeyring over the shipped age and OpenPGP adapters: a decryption Secret's `*.agekey` entries are age
// identities and its `*.asc` entries armored PGP private keys (kustomize-controller's ImportKeys).
import type { KmsDecrypter, SopsKeySources } from '../../ports/sops-key-source.ts';
import type { SopsKeyring } from '../../ports/sops-keyring.ts';
import { ageIdentitiesFromText } from './age-identities.ts';
import { pgpKeysFromFiles } from './pgp-keys.ts';

export class SecretKeyring implements SopsKeyring {
  private readonly kms: KmsDecrypter | undefined;

  /** Without `kms`, KMS entries fail with "no AWS KMS access configured" (each entry named). */
  constructor(opts: { kms?: KmsDecrypter } = {}) {
    this.kms = opts.kms;
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
    if (entries && pgp.length > 0)
      sources.pgp = await pgpKeysFromFiles(
        pgp.map((n) => Buffer.from(entries[n] ?? '', 'utf8')),
        `${source} entries ${pgp.join(', ')}`,
      );
    if (this.kms) sources.kms = this.kms;
    return sources;
  }
}
