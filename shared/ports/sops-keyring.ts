// Port: the SOPS keys a render may use, built from a Kustomization's decryption Secret the way
// kustomize-controller imports it (`*.agekey` age identities, `*.asc` PGP keys) plus the host's AWS KMS access.
import type { SopsKeySources } from './sops-key-source.ts';

export interface SopsKeyring {
  /**
   * `entries` are the Secret's decoded data (undefined without secretRef); `source` names the Secret in
   * errors. A malformed entry fails with a message naming the entry, never its content.
   */
  keySources(entries: Readonly<Record<string, string>> | undefined, source: string): Promise<SopsKeySources>;
}
