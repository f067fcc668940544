import { describe, expect, it } from 'vitest';
import { encryptPlan } from '../../../cli/commands/secrets-encrypt-plan.ts';
import type { SopsConfigLookup } from '../../../shared/adapters/sops/sops-config-file.ts';
import { creationRuleFor, parseSopsConfig } from '../../../shared/core/sops/creation-rules.ts';
import { errorOf } from '../../support/error-of.ts';

const A = 'age1aaa';
const B = 'age1bbb';
const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/k';
const CONFIG = '/repo/.sops.yaml';

function lookup(yaml: string, path = 'secret.yaml'): SopsConfigLookup {
  const rule = creationRuleFor(parseSopsConfig(yaml, CONFIG), path);
  return { configFile: CONFIG, matchedPath: path, ...(rule && { rule }) };
}
const flags = (extra: Partial<Parameters<typeof encryptPlan>[0]> = {}) => ({
  file: 's.yaml',
  age: [],
  kms: [],
  rules: {},
  ...extra,
});

describe('encryptPlan: what sluice secrets encrypt encrypts for', () => {
  it('key flags make one group (comma lists split, KMS with the --encryption-context and ARN+ROLE)', () => {
    const plan = encryptPlan(
      flags({ age: [`${A}, ${B}`], kms: [`${ARN}+arn:aws:iam::1:role/r`] }),
      { T: 'x' },
      {},
    );
    expect(plan.groups).toEqual([
      { age: [A, B], pgp: [], kms: [{ arn: ARN, role: 'arn:aws:iam::1:role/r', context: { T: 'x' } }] },
    ]);
    expect(plan.shamirThreshold).toBe(0);
  });

  it('a Shamir threshold spreads the keys into one group each, in sops group order (kms, pgp, age)', () => {
    const plan = encryptPlan(flags({ age: [A], pgp: ['FP'], kms: [ARN], shamirThreshold: '2' }), {}, {});
    expect(plan.groups.map((g) => [g.kms.length, g.pgp.length, g.age.length])).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(plan.shamirThreshold).toBe(2);
  });

  it.each(['1', '3', 'two', '-2'])('threshold %s for two keys is a usage error (exit 2)', (t) => {
    const err = errorOf(() => encryptPlan(flags({ age: [A, B], shamirThreshold: t }), {}, {}));
    expect(err.code).toBe('UsageError');
    expect(err.message).toContain('--shamir-secret-sharing-threshold');
  });

  it('without key flags the rule gives keys, threshold, rule and mac_only_encrypted; flags give the threshold first', () => {
    const config = lookup(
      `creation_rules:\n  - shamir_threshold: 2\n    encrypted_suffix: _enc\n    mac_only_encrypted: true\n    key_groups:\n      - age: [${A}]\n      - age: [${B}]\n      - kms: [{arn: ${ARN}}]\n`,
    );
    const plan = encryptPlan(flags(), {}, config);
    expect(plan.groups).toHaveLength(3);
    expect(plan).toMatchObject({
      shamirThreshold: 2,
      rules: { encryptedSuffix: '_enc' },
      macOnlyEncrypted: true,
    });
    expect(encryptPlan(flags({ shamirThreshold: '3' }), {}, config).shamirThreshold).toBe(3);
  });

  it('key flags win over the rule keys; the rule still gives the encryption rule', () => {
    const plan = encryptPlan(
      flags({ age: [B] }),
      {},
      lookup(`creation_rules:\n  - age: ${A}\n    encrypted_regex: ^data$\n`),
    );
    expect(plan.groups).toEqual([{ age: [B], pgp: [], kms: [] }]);
    expect(plan.rules).toEqual({ encryptedRegex: '^data$' });
  });

  it('a rule flag and a different .sops.yaml rule together are refused, naming both', () => {
    const err = errorOf(() =>
      encryptPlan(
        flags({ age: [A], rules: { unencryptedSuffix: '_u' } }),
        {},
        lookup(`creation_rules:\n  - age: ${A}\n    encrypted_regex: ^data$\n`),
      ),
    );
    expect(err.code).toBe('UsageError');
    expect(err.message).toContain('--unencrypted-suffix');
    expect(err.message).toContain(`encrypted_regex of ${CONFIG} creation_rules[0]`);
  });

  it('the binary store drops every rule (flags and .sops.yaml alike), as sops does', () => {
    const plan = encryptPlan(
      flags({ age: [A], rules: { unencryptedSuffix: '_u' }, macOnlyEncrypted: true, binary: true }),
      {},
      lookup(`creation_rules:\n  - age: ${A}\n    encrypted_regex: ^password$\n`),
    );
    expect(plan.rules).toEqual({});
    expect(plan.macOnlyEncrypted).toBe(false);
  });

  it('no keys anywhere: a usage error naming the flags, .sops.yaml, and an ignored .sops.yml', () => {
    const err = errorOf(() => encryptPlan(flags(), {}, { ignoredYml: '/repo/.sops.yml' }));
    expect(err.code).toBe('UsageError');
    expect(err.message).toContain('--age');
    expect(err.message).toContain('.sops.yaml');
    expect(err.message).toContain('/repo/.sops.yml is not read');
  });

  it('a matching rule without keys is a config error naming .sops.yaml and the rule', () => {
    const err = errorOf(() =>
      encryptPlan(flags(), {}, lookup('creation_rules:\n  - key_groups:\n      - age: [x]\n      - {}\n')),
    );
    expect(err.code).toBe('ConfigInvalid');
    expect(err.message).toContain(CONFIG);
    expect(err.message).toContain('creation_rules[0].key_groups[1]');
  });
});
