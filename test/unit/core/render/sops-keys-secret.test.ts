// Which decryption Secret entries Sluice reads (kustomize-controller's ImportKeys names), and the warning each
// other entry becomes instead of being silently ignored.
import { describe, expect, it } from 'vitest';
import { isUsedKeysEntry, keysSecretWarnings } from '../../../../shared/core/render/sops-keys-secret.ts';

const SECRET = 'Secret flux-system/sops-keys';

describe('isUsedKeysEntry', () => {
  it.each([
    ['identity.agekey', true],
    ['.agekey', true],
    ['team.a.agekey', true],
    ['pgp.asc', true],
    ['sops.aws-kms', true],
    ['prod.aws-kms', false],
    ['age.key', false],
    ['keys.txt', false],
    ['identity.agekey.bak', false],
    ['sops.azure-kv', false],
    ['sops.gcp-kms', false],
    ['sops.vault-token', false],
  ])('%s → %s', (name, used) => {
    expect(isUsedKeysEntry(name)).toBe(used);
  });
});

describe('keysSecretWarnings', () => {
  it('says nothing about the entries Sluice reads', () => {
    expect(keysSecretWarnings(['a.agekey', 'b.asc', 'sops.aws-kms'], SECRET)).toEqual([]);
  });

  it.each([
    ['sops.azure-kv', 'Azure Key Vault (azure_kv)', 'only keys are azure_kv'],
    ['sops.gcp-kms', 'GCP KMS (gcp_kms)', 'only keys are gcp_kms'],
    ['sops.vault-token', 'HashiCorp Vault/OpenBao transit (hc_vault)', 'only keys are hc_vault'],
  ])('names %s, the key service Sluice does not use and what it does instead', (name, service, fails) => {
    const [warning, ...rest] = keysSecretWarnings([name], SECRET);
    expect(rest).toEqual([]);
    for (const part of [
      `${SECRET} entry ${name} is not used`,
      service,
      'age, PGP or AWS KMS keys instead',
      fails,
    ])
      expect(warning).toContain(part);
    expect(warning).toContain('sluice secrets encrypt --age RECIPIENT | --kms ARN');
  });

  it('names an entry kustomize-controller ignores, and the name it would need', () => {
    expect(keysSecretWarnings(['age.key'], SECRET)).toEqual([
      `spec.decryption.secretRef: ${SECRET} entry age.key is ignored, as kustomize-controller ignores it: only *.agekey (age identities), *.asc (PGP private keys) and sops.aws-kms (AWS credentials for KMS) entries are read. If it holds keys, rename it (e.g. age.agekey for an age key file, age.asc for an armored PGP key)`,
    ]);
  });

  it('names the fixed entry names for a misspelt one', () => {
    const [warning] = keysSecretWarnings(['sops.aws_kms'], SECRET);
    expect(warning).toContain('entry sops.aws_kms is ignored');
    expect(warning).toContain('the fixed entry names are sops.aws-kms (used by Sluice)');
  });

  it('gives one warning per entry, in name order', () => {
    const warnings = keysSecretWarnings(['z.txt', 'sops.gcp-kms', 'a.agekey', 'identity'], SECRET);
    expect(warnings.map((w) => w.split(' ')[4])).toEqual(['identity', 'sops.gcp-kms', 'z.txt']);
  });
});
