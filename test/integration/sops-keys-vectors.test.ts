// Conformance of the data-key half: every vector in ../shared/vectors/sops whose keys the vectors ship
// (age test identities, PGP test keys) unwraps to expected.json's dataKeyHex; the rest are skipped by name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMessage, encrypt, readKey, readPrivateKey } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ageIdentitiesFromText } from '../../shared/adapters/sops/age-identities.ts';
import { pgpKeysFromFiles } from '../../shared/adapters/sops/pgp-keys.ts';
import { readSopsMetadata } from '../../shared/core/sops/decrypt-sops-file.ts';
import type { SopsMetadata } from '../../shared/core/sops/sops-metadata.ts';
import type { SopsFormat } from '../../shared/core/sops/store.ts';
import type { SopsKeySources } from '../../shared/ports/sops-key-source.ts';
import { unwrapDataKey } from '../../shared/usecases/sops/unwrap-data-key.ts';
import { rejectionOf } from '../support/error-of.ts';

const dir = join(import.meta.dirname, '../../../shared/vectors/sops');
const present = existsSync(join(dir, 'expected.json'));
if (!present) console.warn(`sops-keys-vectors: ${dir} is absent; skipping the SOPS data-key vectors`);

const FLUX = 'fluxcd-kustomize-controller/internal';
const SOPS_KEYS = 'getsops-sops';
/** The key types whose test keys the vectors ship. */
const HELD = new Set(['age', 'pgp']);

interface Vector {
  label: string;
  fmt: SopsFormat;
  dataKeyHex: string;
}

/** The encrypted text of a vector: a file, or `inside/secret.yaml#data.key`, a sops JSON file base64 in a Secret. */
function vectorText(label: string): string {
  const [base = '', nested] = (label.split(' ')[0] ?? '').split('#');
  const path = [join(dir, base), join(dir, FLUX, 'controller/testdata/sops', base)].find((p) =>
    existsSync(p),
  );
  if (!path) throw new Error(`vector file for ${label} not found`);
  const text = readFileSync(path, 'utf8');
  if (!nested) return text;
  let value: unknown = parseYaml(text);
  for (const field of nested.split('.')) value = (value as Record<string, unknown>)[field];
  return Buffer.from(String(value), 'base64').toString('utf8');
}

/** Key types of the groups that hold no key type the vectors ship keys for (empty: unwrappable). */
function missingKeyTypes(md: SopsMetadata): string[] {
  const lacking = md.keyGroups.filter((g) => !g.some((e) => HELD.has(e.type)));
  return [...new Set(lacking.flatMap((g) => g.map((e) => e.type)))];
}

const vectors: (Vector & { md: SopsMetadata })[] = present
  ? (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Vector[]).map((v) => ({
      ...v,
      md: readSopsMetadata(vectorText(v.label), v.fmt, v.label),
    }))
  : [];
const skipped = vectors.filter((v) => missingKeyTypes(v.md).length > 0);
for (const v of skipped) {
  console.warn(
    `sops-keys-vectors: skipping ${v.label}: needs ${missingKeyTypes(v.md).join('/')} keys the vectors do not ship`,
  );
}

const read = (p: string) => readFileSync(join(dir, p));
const ageKeyFiles = (): string[] => [
  // keysource_test-keys.txt mixes recipients with identities: keep the identity lines.
  read(`${SOPS_KEYS}/age/keysource_test-keys.txt`)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.startsWith('AGE-SECRET-KEY-'))
    .join('\n'),
  ...readdirSync(join(dir, FLUX, 'controller/testdata/sops/keys'))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => read(`${FLUX}/controller/testdata/sops/keys/${f}`).toString('utf8')),
  read(`${FLUX}/decryptor/testdata/age.txt`).toString('utf8'),
];
const pgpKeyFiles = () => [
  read(`${SOPS_KEYS}/pgp/sops_functional_tests_key.asc`),
  read(`${SOPS_KEYS}/pgp/testdata/private.gpg`),
  read(`${FLUX}/controller/testdata/sops/keys/pgp.asc`),
  read(`${FLUX}/decryptor/testdata/pgp.asc`),
  read(`${FLUX}/sops/keyservice/testdata/private.gpg`),
];

describe.skipIf(!present)('SOPS data keys of the shared vectors (SPEC-SOPS §7)', () => {
  let sources: SopsKeySources;
  let ageTexts: string[];

  beforeAll(async () => {
    ageTexts = ageKeyFiles();
    sources = {
      age: ageIdentitiesFromText(ageTexts, 'the vectors age keys'),
      pgp: await pgpKeysFromFiles(pgpKeyFiles(), 'the vectors PGP keys'),
    };
  });

  it('holds a vector of every kind it claims (age X25519, age post-quantum, PGP)', () => {
    const recipients = vectors.flatMap((v) => v.md.keyGroups.flat());
    expect(recipients.some((e) => e.type === 'age' && e.recipient.startsWith('age1pq1'))).toBe(true);
    expect(recipients.some((e) => e.type === 'age' && !e.recipient.startsWith('age1pq1'))).toBe(true);
    expect(recipients.some((e) => e.type === 'pgp')).toBe(true);
  });

  it.each(vectors.filter((v) => !skipped.includes(v)).map((v) => [v.label, v] as const))(
    'unwraps the data key of %s',
    async (_, v) => {
      const key = await unwrapDataKey(v.md, sources, { file: v.label });
      expect(key.toString('hex')).toBe(v.dataKeyHex);
    },
  );

  for (const v of skipped) {
    it.skip(`${v.label}: needs ${missingKeyTypes(v.md).join('/')} keys the vectors do not ship`, () => {});
  }

  it('without the keys, fails for every vector naming its recipients and leaking no key', async () => {
    for (const v of vectors) {
      const err = await rejectionOf(unwrapDataKey(v.md, {}, { file: v.label }));
      expect(err.code).toBe('ValidationFailed');
      for (const entry of v.md.keyGroups.flat()) {
        expect(err.message).toContain(
          entry.type === 'age' ? entry.recipient : entry.type === 'pgp' ? entry.fp : '',
        );
      }
      const text = `${err.message} ${JSON.stringify(err)}`;
      expect(text).not.toContain(v.dataKeyHex);
      expect(text).not.toContain(Buffer.from(v.dataKeyHex, 'hex').toString('base64'));
      for (const identity of ageTexts.join('\n').match(/AGE-SECRET-KEY-[0-9A-Z-]+/g) ?? []) {
        expect(text).not.toContain(identity);
      }
    }
  });

  it('reads private keys in binary form too (testdata/private.gpg, armored despite its name, re-serialized)', async () => {
    const publicKey = await readKey({
      armoredKey: read(`${SOPS_KEYS}/pgp/testdata/public.gpg`).toString('utf8'),
    });
    const armoredPrivate = read(`${SOPS_KEYS}/pgp/testdata/private.gpg`).toString('utf8');
    const binary = (await readPrivateKey({ armoredKey: armoredPrivate })).write();
    const secret = Uint8Array.from({ length: 32 }, (_, i) => i);
    const enc = await encrypt({
      message: await createMessage({ binary: secret }),
      encryptionKeys: publicKey,
    });
    const fp = publicKey.getFingerprint().toUpperCase();
    const binaryOnly = await pgpKeysFromFiles([binary]);
    expect(binaryOnly.fingerprints).toContain(fp);
    expect(await binaryOnly.unwrap({ type: 'pgp', fp, createdAt: '', enc: enc as string })).toEqual(secret);
  });
});
