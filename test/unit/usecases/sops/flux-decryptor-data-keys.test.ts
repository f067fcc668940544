// One render unwraps each file's data key once (Flux asks KMS once per file; Sluice reads a resource twice: its
// MAC as committed, then its built object), and forgets every data key when the render is done.
import { beforeAll, describe, expect, it } from 'vitest';
import { ageIdentitiesFromText } from '../../../../shared/adapters/sops/age-identities.ts';
import type { AgeKeyEntry } from '../../../../shared/core/sops/sops-metadata.ts';
import type { SopsKeySources } from '../../../../shared/ports/sops-key-source.ts';
import { FluxDecryptor } from '../../../../shared/usecases/sops/flux-decryptor.ts';
import { type AgeTestKey, ageEntry, newAgeKey } from '../../../support/sops-keys.ts';
import { sealWith } from '../../../support/sops-kms-fleet.ts';

let key: AgeTestKey;
beforeAll(async () => {
  key = await newAgeKey();
});

function counting(asked: string[]): SopsKeySources {
  const age = ageIdentitiesFromText(key.identity);
  return {
    age: {
      count: age.count,
      unwrap: (e: AgeKeyEntry) => {
        asked.push(e.recipient);
        return age.unwrap(e);
      },
    },
  };
}

const seal = (value: string) =>
  sealWith(`password: ${value}\n`, 'yaml', 'secret.yaml', async (dataKey) => [
    await ageEntry(key.recipient, dataKey),
  ]);

describe('FluxDecryptor data keys', () => {
  it('unwraps a file once however often the render decrypts it, and again after dispose', async () => {
    const asked: string[] = [];
    const decryptor = new FluxDecryptor({
      ref: 'Kustomization/flux-system/apps',
      sources: counting(asked),
      verifyMac: true,
      keyHint: '',
    });
    const text = await seal('one');
    expect(await decryptor.decrypt(text, 'yaml', 'yaml', 'secret.yaml')).toBe('password: one\n');
    expect(await decryptor.decrypt(text, 'yaml', 'json', 'secret.yaml')).toContain('"password": "one"');
    expect(asked).toHaveLength(1);
    decryptor.dispose();
    expect(await decryptor.decrypt(text, 'yaml', 'yaml', 'secret.yaml')).toBe('password: one\n');
    expect(asked).toHaveLength(2);
  });

  it('unwraps each file of its own data key', async () => {
    const asked: string[] = [];
    const decryptor = new FluxDecryptor({
      ref: 'Kustomization/flux-system/apps',
      sources: counting(asked),
      verifyMac: true,
      keyHint: '',
    });
    await decryptor.decrypt(await seal('one'), 'yaml', 'yaml', 'a.yaml');
    expect(await decryptor.decrypt(await seal('two'), 'yaml', 'yaml', 'b.yaml')).toBe('password: two\n');
    expect(asked).toHaveLength(2);
  });
});
