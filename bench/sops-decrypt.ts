// SOPS decryption speed: a 1,000-value YAML file decrypted with its data key unwrapped once (values/s), and
// the whole cost of one small Secret (age unwrap + decrypt + MAC), each against a `yaml` parse of the plaintext.
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import { ageIdentitiesFromText } from '../shared/adapters/sops/age-identities.ts';
import { decryptSopsFile, readSopsMetadata } from '../shared/core/sops/decrypt-sops-file.ts';
import { unwrapDataKey } from '../shared/usecases/sops/unwrap-data-key.ts';
import { encryptSopsValue, sopsMac, TEST_LASTMODIFIED } from '../test/support/sops-encrypt.ts';
import { ageEntry, newAgeKey } from '../test/support/sops-keys.ts';
import { median, round } from './measure.ts';

const GROUPS = 50;
const KEYS_PER_GROUP = 20;
const VALUES = GROUPS * KEYS_PER_GROUP;

interface BenchFile {
  encrypted: string;
  plaintext: string;
  expected: unknown;
}

/** The `sops:` block sops writes for one age recipient, with the armored age file indented under `enc: |`. */
function sopsBlock(recipient: string, armoredEnc: string, mac: string, regex?: string): string {
  const enc = armoredEnc
    .trimEnd()
    .split('\n')
    .map((l) => `            ${l}`);
  return [
    'sops:',
    '    age:',
    `        - recipient: ${recipient}`,
    '          enc: |',
    ...enc,
    `    lastmodified: "${TEST_LASTMODIFIED}"`,
    `    mac: ${mac}`,
    ...(regex ? [`    encrypted_regex: ${regex}`] : []),
    '    version: 3.10.2',
    '',
  ].join('\n');
}

/** 50 maps of 20 secret strings, every value encrypted (sops' default rule). */
function bigFile(dataKey: Buffer, recipient: string, armoredEnc: string): BenchFile {
  const enc: string[] = [];
  const plain: string[] = [];
  const leaves: string[] = [];
  const expected: Record<string, Record<string, string>> = {};
  for (let g = 0; g < GROUPS; g++) {
    const group = `service${String(g).padStart(2, '0')}`;
    enc.push(`${group}:`);
    plain.push(`${group}:`);
    expected[group] = {};
    for (let k = 0; k < KEYS_PER_GROUP; k++) {
      const key = `secret${String(k).padStart(2, '0')}`;
      const value = randomBytes(24).toString('base64');
      enc.push(`    ${key}: ${encryptSopsValue(value, 'str', dataKey, `${group}:${key}:`)}`);
      plain.push(`    ${key}: ${value}`);
      leaves.push(value);
      expected[group][key] = value;
    }
  }
  const mac = sopsMac(leaves, dataKey, TEST_LASTMODIFIED);
  return {
    encrypted: `${enc.join('\n')}\n${sopsBlock(recipient, armoredEnc, mac)}`,
    plaintext: `${plain.join('\n')}\n`,
    expected,
  };
}

/** One Secret as Flux users keep it: only data/stringData encrypted. */
function smallSecret(dataKey: Buffer, recipient: string, armoredEnc: string): BenchFile {
  const user = 'app';
  const password = randomBytes(18).toString('base64');
  const url = `postgres://app:${password}@db.apps.svc:5432/app`;
  const e = (v: string, path: string) => encryptSopsValue(v, 'str', dataKey, path);
  const head = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '    name: db-credentials',
    '    namespace: apps',
  ];
  const body = (u: string, p: string, d: string) => [
    'type: Opaque',
    'stringData:',
    `    username: ${u}`,
    `    password: ${p}`,
    `    url: ${d}`,
  ];
  const leaves = ['v1', 'Secret', 'db-credentials', 'apps', 'Opaque', user, password, url];
  const mac = sopsMac(leaves, dataKey, TEST_LASTMODIFIED);
  const encBody = body(
    e(user, 'stringData:username:'),
    e(password, 'stringData:password:'),
    e(url, 'stringData:url:'),
  );
  return {
    encrypted: `${[...head, ...encBody].join('\n')}\n${sopsBlock(recipient, armoredEnc, mac, '^(data|stringData)$')}`,
    plaintext: `${[...head, ...body(user, password, url)].join('\n')}\n`,
    expected: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-credentials', namespace: 'apps' },
      type: 'Opaque',
      stringData: { username: user, password, url },
    },
  };
}

function sameTree(got: unknown, want: unknown, what: string): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what} decrypted to something else`);
}

export async function sopsDecrypt(runs = 15, smallRuns = 40): Promise<Record<string, number>> {
  const age = await newAgeKey();
  const identities = ageIdentitiesFromText(age.identity, 'the bench age key');
  const dataKey = randomBytes(32);
  const entry = await ageEntry(age.recipient, dataKey);
  const big = bigFile(dataKey, age.recipient, entry.enc);
  const small = smallSecret(dataKey, age.recipient, entry.enc);

  // The data key is unwrapped once, as a Kustomization's files share their keys' cost only per file.
  const bigKey = await unwrapDataKey(readSopsMetadata(big.encrypted, 'yaml'), { age: identities });
  sameTree(decryptSopsFile(big.encrypted, 'yaml', bigKey).tree, big.expected, 'the 1,000-value file');
  for (let i = 0; i < 3; i++) decryptSopsFile(big.encrypted, 'yaml', bigKey); // warm-up
  const bigMs = await median(runs, async () => decryptSopsFile(big.encrypted, 'yaml', bigKey));
  const bigBaseline = await median(runs, async () => parse(big.plaintext));

  const oneFile = async () => {
    const md = readSopsMetadata(small.encrypted, 'yaml', 'secret.yaml');
    const key = await unwrapDataKey(md, { age: identities }, { file: 'secret.yaml' });
    return decryptSopsFile(small.encrypted, 'yaml', key, { fileName: 'secret.yaml' });
  };
  sameTree((await oneFile()).tree, small.expected, 'the small Secret');
  for (let i = 0; i < 5; i++) await oneFile();
  const smallMs = await median(smallRuns, oneFile);
  const smallBaseline = await median(smallRuns, async () => parse(small.plaintext));

  return {
    sops_decrypt_values_per_s: Math.round((VALUES / bigMs) * 1000),
    sops_decrypt_1000_values_ms: round(bigMs),
    sops_decrypt_baseline_yaml_parse_ms: round(bigBaseline),
    sops_decrypt_ratio_vs_yaml_parse: round(bigMs / bigBaseline, 3),
    sops_decrypt_file_overhead_ms: round(smallMs, 3),
    sops_decrypt_file_baseline_yaml_parse_ms: round(smallBaseline, 3),
  };
}
