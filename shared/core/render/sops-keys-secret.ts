// Which entries of a Kustomization's decryption Secret Sluice uses, as status warnings for the rest: where
// kustomize-controller silently ignores an entry (or uses a key service Sluice has not), the fleet is told so.

/** What kustomize-controller's ImportKeys reads and Sluice does not (by exact entry name). */
const UNSUPPORTED: Readonly<Record<string, { service: string; keyType: string }>> = {
  'sops.azure-kv': { service: 'Azure Key Vault', keyType: 'azure_kv' },
  'sops.gcp-kms': { service: 'GCP KMS', keyType: 'gcp_kms' },
  'sops.vault-token': { service: 'HashiCorp Vault/OpenBao transit', keyType: 'hc_vault' },
};

/** The entry kinds Sluice reads, for messages. */
export const USED_ENTRIES =
  '*.agekey (age identities), *.asc (PGP private keys) and sops.aws-kms (AWS credentials for KMS)';

/** Whether kustomize-controller imports an entry Sluice also uses (filepath.Ext match, or the exact name). */
export function isUsedKeysEntry(name: string): boolean {
  return name.endsWith('.agekey') || name.endsWith('.asc') || name === 'sops.aws-kms';
}

/**
 * One warning per entry Sluice does not use, naming it and what Sluice does instead; entry names only, never
 * a value. `secretRef` is `Secret ns/name`.
 */
export function keysSecretWarnings(names: readonly string[], secretRef: string): string[] {
  const warnings: string[] = [];
  for (const name of [...names].sort()) {
    if (isUsedKeysEntry(name)) continue;
    const unsupported = Object.hasOwn(UNSUPPORTED, name) ? UNSUPPORTED[name] : undefined;
    const prefix = `spec.decryption.secretRef: ${secretRef} entry ${name}`;
    if (unsupported) {
      warnings.push(
        `${prefix} is not used: Sluice does not decrypt with ${unsupported.service} (${unsupported.keyType}) keys; each file is decrypted with its age, PGP or AWS KMS keys instead, and a file whose only keys are ${unsupported.keyType} fails. Re-encrypt such files to an age or AWS KMS key (sluice secrets encrypt --age RECIPIENT | --kms ARN) and remove the entry`,
      );
    } else if (name.startsWith('sops.')) {
      // A misspelt fixed name (sops.aws_kms, sops.aws-kms.yaml): say which fixed names there are.
      warnings.push(
        `${prefix} is ignored, as kustomize-controller ignores it: the fixed entry names are sops.aws-kms (used by Sluice), sops.azure-kv, sops.gcp-kms and sops.vault-token; rename it if it holds AWS credentials for KMS`,
      );
    } else {
      warnings.push(
        `${prefix} is ignored, as kustomize-controller ignores it: only ${USED_ENTRIES} entries are read. If it holds keys, rename it (e.g. ${stem(name)}.agekey for an age key file, ${stem(name)}.asc for an armored PGP key)`,
      );
    }
  }
  return warnings;
}

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
