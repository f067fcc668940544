// What `sluice secrets encrypt` encrypts for, as sops decides it: key flags (one key group, or one group per key
// with a Shamir threshold), else the .sops.yaml creation rule; rules from flags first, the rule's fill the rest.
import type { SopsConfigLookup } from '../../shared/adapters/sops/sops-config-file.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import type { KeyGroupSpec, KmsKeySpec } from '../../shared/core/sops/creation-rules.ts';
import type { SopsCryptRules } from '../../shared/core/sops/sops-metadata.ts';
import { CliUsageError } from '../usage-error.ts';

export interface EncryptPlanArgs {
  file: string;
  age: string[];
  kms: string[];
  pgp?: string[];
  shamirThreshold?: string;
  macOnlyEncrypted?: boolean;
  rules: SopsCryptRules;
  /** The binary store: one value, always encrypted; sops drops every rule before checking them. */
  binary?: boolean;
}

export interface EncryptPlan {
  groups: KeyGroupSpec[];
  shamirThreshold: number;
  rules: SopsCryptRules;
  macOnlyEncrypted: boolean;
}

const RULE_FLAGS: [keyof SopsCryptRules, string, string][] = [
  ['unencryptedSuffix', '--unencrypted-suffix', 'unencrypted_suffix'],
  ['encryptedSuffix', '--encrypted-suffix', 'encrypted_suffix'],
  ['unencryptedRegex', '--unencrypted-regex', 'unencrypted_regex'],
  ['encryptedRegex', '--encrypted-regex', 'encrypted_regex'],
  ['unencryptedCommentRegex', '--unencrypted-comment-regex', 'unencrypted_comment_regex'],
  ['encryptedCommentRegex', '--encrypted-comment-regex', 'encrypted_comment_regex'],
];

const splitKeys = (values: readonly string[] = []) =>
  values.flatMap((v) => v.split(',').map((k) => k.trim())).filter((k) => k !== '');

/** A mistake in the flags (or no keys at all): exit code 2, as the CLI's other usage errors. */
function usage(message: string, _file: string): SluiceError {
  return new CliUsageError(message);
}

function thresholdOf(text: string | undefined, file: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1)
    throw usage(
      `--shamir-secret-sharing-threshold ${JSON.stringify(text)}: give a whole number, 2 or more`,
      file,
    );
  return Number(text);
}

export function encryptPlan(
  args: EncryptPlanArgs,
  context: Record<string, string>,
  lookup: SopsConfigLookup,
): EncryptPlan {
  const { file } = args;
  const threshold = thresholdOf(args.shamirThreshold, file);
  const kms: KmsKeySpec[] = splitKeys(args.kms).map((spec) => {
    const [arn = '', role] = spec.split('+');
    return { arn, ...(role && { role }), context: { ...context } };
  });
  const pgp = splitKeys(args.pgp);
  const age = splitKeys(args.age);
  const rule = lookup.rule;
  let groups: KeyGroupSpec[];
  let shamirThreshold = 0;
  if (kms.length + pgp.length + age.length > 0) {
    if (threshold !== undefined) {
      // sops puts flag keys in one group; a threshold over one group means nothing, so each key is a group.
      groups = [
        ...kms.map((k) => ({ age: [], pgp: [], kms: [k] })),
        ...pgp.map((p) => ({ age: [], pgp: [p], kms: [] })),
        ...age.map((a) => ({ age: [a], pgp: [], kms: [] })),
      ];
      if (groups.length < threshold || threshold < 2)
        throw usage(
          `${file}: --shamir-secret-sharing-threshold ${threshold} needs at least ${Math.max(threshold, 2)} keys (each key is one key group), got ${groups.length}; give more --age/--kms/--pgp keys or a lower threshold`,
          file,
        );
      shamirThreshold = threshold;
    } else groups = [{ age, pgp, kms }];
  } else {
    if (!rule) throw noKeys(file, lookup);
    groups = rule.keyGroups;
    const empty = groups.findIndex((g) => g.age.length + g.pgp.length + g.kms.length === 0);
    if (empty >= 0)
      throw new SluiceError(
        'ConfigInvalid',
        `${lookup.configFile}: ${rule.at}${groups.length > 1 ? `.key_groups[${empty}]` : ''} lists no age, pgp or kms key; add one (it is the rule ${file} matches)`,
        { file: lookup.configFile, field: rule.at },
      );
    shamirThreshold = threshold ?? rule.shamirThreshold;
  }
  if (args.binary) return { groups, shamirThreshold, rules: {}, macOnlyEncrypted: false };
  return {
    groups,
    shamirThreshold,
    rules: mergeRules(args.rules, rule?.rules ?? {}, file, lookup, rule?.at),
    macOnlyEncrypted: (args.macOnlyEncrypted ?? false) || (rule?.macOnlyEncrypted ?? false),
  };
}

/** sops' getEncryptConfig: each rule field from the flag, else from the creation rule; then at most one. */
function mergeRules(
  flags: SopsCryptRules,
  fromConfig: SopsCryptRules,
  file: string,
  lookup: SopsConfigLookup,
  at: string | undefined,
): SopsCryptRules {
  const out: SopsCryptRules = {};
  const origins: string[] = [];
  for (const [key, flag, field] of RULE_FLAGS) {
    if (flags[key]) {
      out[key] = flags[key];
      origins.push(flag);
    } else if (fromConfig[key]) {
      out[key] = fromConfig[key];
      origins.push(`${field} of ${lookup.configFile} ${at}`);
    }
  }
  if (origins.length > 1)
    throw usage(
      `${file}: ${origins.join(' and ')} each set which values are encrypted; keep one (sops allows one rule per file)`,
      file,
    );
  return out;
}

function noKeys(file: string, lookup: SopsConfigLookup): SluiceError {
  const flags = '--age RECIPIENT, --kms ARN or --pgp FINGERPRINT (repeatable)';
  if (lookup.configFile)
    return usage(
      `${file}: no creation_rules entry of ${lookup.configFile} matches ${JSON.stringify(lookup.matchedPath)} (path_regex is matched against the path relative to the directory of .sops.yaml); add a rule for it, or give ${flags}`,
      file,
    );
  const yml = lookup.ignoredYml
    ? `; ${lookup.ignoredYml} is not read: sops and Sluice want the name .sops.yaml`
    : '';
  return usage(
    `secrets encrypt ${file} needs a recipient: ${flags}, or a .sops.yaml creation rule in its directory or above${yml}`,
    file,
  );
}
