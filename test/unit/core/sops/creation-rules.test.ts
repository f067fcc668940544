import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  creationRuleFor,
  parseSopsConfig,
  pathForRules,
} from '../../../../shared/core/sops/creation-rules.ts';
import { errorOf } from '../../../support/error-of.ts';

const CONFIG = '/repo/.sops.yaml';
const AGE1 = 'age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29';
const AGE2 = 'age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw';
const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/abcd';

const ruleFor = (yaml: string, path: string, context: Record<string, string> = {}) =>
  creationRuleFor(parseSopsConfig(yaml, CONFIG), path, context);

describe('creationRuleFor (sops parseCreationRuleForFile)', () => {
  const yaml = `creation_rules:
  - path_regex: clusters/prod/.*\\.yaml$
    kms: ${ARN}+arn:aws:iam::111122223333:role/sops
    encrypted_regex: ^(data|stringData)$
  - path_regex: \\.env$
    age: ${AGE1}, ${AGE2}
    mac_only_encrypted: true
  - age: [${AGE1}]
    pgp: "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4"
`;

  it.each([
    ['clusters/prod/db.yaml', 'creation_rules[0]'],
    ['apps/clusters/prod/x.yaml', 'creation_rules[0]'],
    ['clusters/dev/db.yaml', 'creation_rules[2]'],
    ['team/app.env', 'creation_rules[1]'],
    ['README', 'creation_rules[2]'],
  ])(
    '%s picks %s: the first rule whose path_regex matches (unanchored), a rule without one matches all',
    (path, at) => {
      expect(ruleFor(yaml, path)?.at).toBe(at);
    },
  );

  it('reads keys as sops does: comma lists, role after +, the --encryption-context for top-level kms', () => {
    const prod = ruleFor(yaml, 'clusters/prod/db.yaml', { Team: 'web' });
    expect(prod?.keyGroups).toEqual([
      {
        age: [],
        pgp: [],
        kms: [{ arn: ARN, role: 'arn:aws:iam::111122223333:role/sops', context: { Team: 'web' } }],
      },
    ]);
    expect(prod?.rules).toEqual({ encryptedRegex: '^(data|stringData)$' });
    const env = ruleFor(yaml, 'a.env');
    expect(env?.keyGroups[0]?.age).toEqual([AGE1, AGE2]);
    expect(env?.macOnlyEncrypted).toBe(true);
    expect(ruleFor(yaml, 'x')?.keyGroups[0]?.pgp).toEqual(['FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4']);
  });

  it('key_groups with merge and shamir_threshold give one group each, duplicates dropped', () => {
    const rule = ruleFor(
      `creation_rules:
  - shamir_threshold: 2
    key_groups:
      - age: [${AGE1}, ${AGE1}]
        merge:
          - kms: [{arn: ${ARN}, context: {Env: prod, Dropped: null}}]
      - age: [${AGE2}]
      - pgp: [ABCDEF0123456789ABCDEF0123456789ABCDEF01]
`,
      'any.yaml',
    );
    expect(rule?.shamirThreshold).toBe(2);
    expect(rule?.keyGroups).toEqual([
      { age: [AGE1], pgp: [], kms: [{ arn: ARN, context: { Env: 'prod' } }] },
      { age: [AGE2], pgp: [], kms: [] },
      { age: [], pgp: ['ABCDEF0123456789ABCDEF0123456789ABCDEF01'], kms: [] },
    ]);
  });

  it('no rule matches: undefined; no creation_rules at all: none to match', () => {
    expect(ruleFor('creation_rules:\n  - path_regex: ^prod/\n    age: x\n', 'dev/a.yaml')).toBeUndefined();
    expect(parseSopsConfig('stores:\n  yaml:\n    indent: 2\n', CONFIG).creationRules).toEqual([]);
    expect(parseSopsConfig('', CONFIG).creationRules).toEqual([]);
  });

  it('matches the path relative to the config directory, as sops trims it', () => {
    expect(pathForRules('/repo/clusters/prod/a.yaml', '/repo')).toBe('clusters/prod/a.yaml');
    expect(pathForRules('/elsewhere/a.yaml', '/repo')).toBe('/elsewhere/a.yaml');
  });
});

describe('a bad .sops.yaml', () => {
  it.each([
    ['creation_rules: [\n', 'the file'],
    ['- a\n- b\n', 'the file'],
    ['creation_rules: {age: x}\n', 'creation_rules'],
    ['creation_rules:\n  - just a string\n', 'creation_rules[0]'],
    ['creation_rules:\n  - age: 5\n', 'creation_rules[0].age'],
    ['creation_rules:\n  - age: [ok, 7]\n', 'creation_rules[0].age[1]'],
    ['creation_rules:\n  - path_regex: "(unclosed"\n    age: x\n', 'creation_rules[0].path_regex'],
    ['creation_rules:\n  - age: x\n  - encrypted_regex: "[z-a]"\n', 'creation_rules[1].encrypted_regex'],
    ['creation_rules:\n  - age: x\n    shamir_threshold: two\n', 'creation_rules[0].shamir_threshold'],
    ['creation_rules:\n  - age: x\n    mac_only_encrypted: maybe\n', 'creation_rules[0].mac_only_encrypted'],
    [
      'creation_rules:\n  - age: x\n    encrypted_regex: a\n    unencrypted_suffix: _u\n',
      'creation_rules[0]',
    ],
    [
      'creation_rules:\n  - gcp_kms: projects/p/locations/l/keyRings/r/cryptoKeys/k\n',
      'creation_rules[0].gcp_kms',
    ],
    [
      'creation_rules:\n  - key_groups:\n      - kms: [{role: r}]\n',
      'creation_rules[0].key_groups[0].kms[0].arn',
    ],
    [
      'creation_rules:\n  - key_groups:\n      - hc_vault: [https://v/k]\n',
      'creation_rules[0].key_groups[0].hc_vault',
    ],
  ])('%j is refused naming the file and the field %s', (yaml, field) => {
    const err = errorOf(() => parseSopsConfig(yaml, CONFIG));
    expect(err.code).toBe('ConfigInvalid');
    expect(err.message).toContain(CONFIG);
    expect(err.message).toContain(field);
  });
});

const vectors = join(import.meta.dirname, '../../../../../shared/vectors/sops');
const present = existsSync(join(vectors, 'expected.json'));
if (!present) console.warn(`skipping the real .sops.yaml files: no vectors at ${vectors}`);

describe.skipIf(!present)('the .sops.yaml files of sops and Flux', () => {
  const read = (path: string) => parseSopsConfig(readFileSync(join(vectors, path), 'utf8'), path);
  const AGE = 'age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29';
  const PGP = '35C1A64CD7FC0AB6EB66756B2445463C3234ECE1';

  it.each([
    ['algorithms/pgp.yaml', 'creation_rules[0]', [{ age: [], pgp: [PGP], kms: [] }], '^(data|stringData)$'],
    ['algorithms/json.yaml', 'creation_rules[1]', [{ age: [AGE], pgp: [], kms: [] }], '.*'],
    ['global/secret.yaml', 'creation_rules[2]', [{ age: [AGE], pgp: [], kms: [] }], '^(data|stringData)$'],
    ['envs/env.env', 'creation_rules[3]', [{ age: [AGE], pgp: [], kms: [] }], undefined],
    [
      'keys/secret.json',
      'creation_rules[4]',
      [
        { age: [AGE], pgp: [], kms: [] },
        { age: [], pgp: [PGP], kms: [] },
      ],
      undefined,
    ],
  ])('Flux testdata: %s takes %s (anchors and aliases resolved)', (path, at, groups, regex) => {
    const rule = creationRuleFor(
      read('fluxcd-kustomize-controller/internal/controller/testdata/sops/.sops.yaml'),
      path,
    );
    expect(rule?.at).toBe(at);
    expect(rule?.keyGroups).toEqual(groups);
    expect(rule?.rules.encryptedRegex).toBe(regex);
  });

  it("sops' own: a folded comma list of fingerprints, and key_groups per functional test", () => {
    expect(creationRuleFor(read('getsops-sops/.sops.yaml'), 'any.yaml')?.keyGroups[0]?.pgp).toEqual([
      'FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4',
      'D7229043384BCC60326C6FB9D8720D957C3D3074',
    ]);
    const functional = read('getsops-sops/functional-tests/.sops.yaml');
    expect(creationRuleFor(functional, 'test_roundtrip_keygroups.yaml')?.keyGroups).toHaveLength(2);
    expect(creationRuleFor(functional, 'res/other.yaml')?.at).toBe('creation_rules[5]');
  });
});
