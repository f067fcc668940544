// Port: a master key that wraps a new SOPS data key (SPEC-SOPS §7) into one metadata entry — an age
// recipient or an AWS KMS key — the encrypting counterpart of SopsKeySources.
import type { SopsKeyEntry } from '../core/sops/sops-metadata.ts';

export interface SopsKeyWrapper {
  /** Names the key in errors (recipient, ARN): never key material. */
  readonly describe: string;
  /** The entry holding `dataKey` encrypted to this key; failures are SluiceErrors safe to show. */
  wrap(dataKey: Uint8Array, createdAt: string): Promise<SopsKeyEntry>;
}
