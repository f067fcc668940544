// `.sops.yaml` creation rules (sops config/config.go): parse and check the file, then pick the first rule whose
// path_regex matches the file's path relative to the config's directory; errors name the file and the field.
import { parse } from 'yaml';
import { SluiceError } from '../errors.ts';
import { re2ToRegExp } from './crypt-rules.ts';
import type { SopsCryptRules } from './sops-metadata.ts';

/** An AWS KMS key as a rule names it: sops' `ARN[+ROLE]` string form, or a key_groups mapping. */
export interface KmsKeySpec {
  arn: string;
  role?: string;
  context: Record<string, string>;
  awsProfile?: string;
}

/** The master keys of one key group, by type; each list deduplicated, as sops does. */
export interface KeyGroupSpec {
  age: string[];
  pgp: string[];
  kms: KmsKeySpec[];
}

export interface CreationRule {
  /** Where the rule sits, for messages: `creation_rules[2]`. */
  at: string;
  /** One group for top-level key lists; one per `key_groups` entry otherwise. */
  keyGroups: KeyGroupSpec[];
  shamirThreshold: number;
  rules: SopsCryptRules;
  macOnlyEncrypted: boolean;
}

type Raw = Record<string, unknown>;

const RULE_FIELDS = [
  ['unencrypted_suffix', 'unencryptedSuffix'],
  ['encrypted_suffix', 'encryptedSuffix'],
  ['unencrypted_regex', 'unencryptedRegex'],
  ['encrypted_regex', 'encryptedRegex'],
  ['unencrypted_comment_regex', 'unencryptedCommentRegex'],
  ['encrypted_comment_regex', 'encryptedCommentRegex'],
] as const;

// Key types sops can encrypt for but Sluice cannot: a rule using them is refused rather than half-applied.
const OTHER_KEY_FIELDS = ['gcp_kms', 'hckms', 'azure_keyvault', 'hc_vault_transit_uri', 'hc_vault'];

function bad(configFile: string, field: string, why: string): SluiceError {
  return new SluiceError('ConfigInvalid', `${configFile}: ${field} ${why}`, { file: configFile, field });
}

function isMapping(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(v: unknown, configFile: string, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw bad(configFile, field, 'must be a string');
  return v;
}

/** sops' parseKeyField: a comma-separated string or a list of strings (each may hold commas too). */
function keyList(v: unknown, configFile: string, field: string): string[] {
  if (v === undefined || v === null) return [];
  const items = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
  if (!items) throw bad(configFile, field, 'must be a string or a list of strings');
  return items.flatMap((item, i) => {
    if (typeof item !== 'string') throw bad(configFile, `${field}[${i}]`, 'must be a string');
    return item
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '');
  });
}

function unique<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const kmsKey = (k: KmsKeySpec) =>
  `${k.arn}+${k.role ?? ''}|${JSON.stringify(Object.entries(k.context).sort())}|${k.awsProfile ?? ''}`;

function refuseOtherKeys(raw: Raw, configFile: string, at: string): void {
  for (const f of OTHER_KEY_FIELDS) {
    const v = raw[f];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '')
      throw bad(
        configFile,
        `${at}.${f}`,
        'names a key type Sluice cannot encrypt for; use age, pgp or kms (AWS) keys in this rule',
      );
  }
}

/** One `key_groups` entry (merge included, flattened as sops' extractMasterKeys does). */
function groupFrom(raw: unknown, configFile: string, at: string): KeyGroupSpec {
  if (!isMapping(raw)) throw bad(configFile, at, 'must be a mapping of key lists (age, pgp, kms)');
  refuseOtherKeys(raw, configFile, at);
  const group: KeyGroupSpec = { age: [], pgp: [], kms: [] };
  const merge = raw.merge;
  if (merge !== undefined && merge !== null) {
    if (!Array.isArray(merge)) throw bad(configFile, `${at}.merge`, 'must be a list of key groups');
    for (const [i, sub] of merge.entries()) {
      const g = groupFrom(sub, configFile, `${at}.merge[${i}]`);
      group.age.push(...g.age);
      group.pgp.push(...g.pgp);
      group.kms.push(...g.kms);
    }
  }
  group.age.push(...keyList(raw.age, configFile, `${at}.age`));
  group.pgp.push(...keyList(raw.pgp, configFile, `${at}.pgp`));
  const kms = raw.kms;
  if (kms !== undefined && kms !== null) {
    if (!Array.isArray(kms)) throw bad(configFile, `${at}.kms`, 'must be a list of {arn, role, context}');
    for (const [i, k] of kms.entries()) group.kms.push(kmsFrom(k, configFile, `${at}.kms[${i}]`));
  }
  return {
    age: unique(group.age, (a) => a),
    pgp: unique(group.pgp, (p) => p),
    kms: unique(group.kms, kmsKey),
  };
}

function kmsFrom(raw: unknown, configFile: string, at: string): KmsKeySpec {
  if (!isMapping(raw))
    throw bad(configFile, at, 'must be a mapping with arn (and role, context, aws_profile)');
  const arn = optionalString(raw.arn, configFile, `${at}.arn`);
  if (!arn) throw bad(configFile, `${at}.arn`, 'is missing: every kms entry needs the key ARN');
  const role = optionalString(raw.role, configFile, `${at}.role`);
  const awsProfile = optionalString(raw.aws_profile, configFile, `${at}.aws_profile`);
  const context: Record<string, string> = {};
  if (raw.context !== undefined && raw.context !== null) {
    if (!isMapping(raw.context)) throw bad(configFile, `${at}.context`, 'must be a mapping of strings');
    // sops' map[string]*string: a null value is dropped.
    for (const [k, v] of Object.entries(raw.context))
      if (v !== null) context[k] = optionalString(v, configFile, `${at}.context.${k}`);
  }
  return { arn, ...(role && { role }), context, ...(awsProfile && { awsProfile }) };
}

/** sops' `ARN[+ROLE]` strings (kms.MasterKeysFromArnString), with the --encryption-context for each. */
function kmsFromStrings(arns: string[], context: Record<string, string>, awsProfile: string): KmsKeySpec[] {
  return arns.map((spec) => {
    const [arn = '', role] = spec.split('+');
    return { arn, ...(role && { role }), context: { ...context }, ...(awsProfile && { awsProfile }) };
  });
}

function ruleFrom(raw: Raw, configFile: string, at: string, context: Record<string, string>): CreationRule {
  refuseOtherKeys(raw, configFile, at);
  const rules: SopsCryptRules = {};
  for (const [from, to] of RULE_FIELDS) {
    const v = optionalString(raw[from], configFile, `${at}.${from}`);
    if (v) rules[to] = v;
  }
  const set = RULE_FIELDS.filter(([from]) => raw[from]);
  if (set.length > 1)
    throw bad(configFile, at, `sets ${set.map(([f]) => f).join(' and ')}: keep one of them in this rule`);
  for (const field of [
    'unencrypted_regex',
    'encrypted_regex',
    'unencrypted_comment_regex',
    'encrypted_comment_regex',
  ])
    if (raw[field]) regexOf(raw[field] as string, configFile, `${at}.${field}`);
  const threshold = raw.shamir_threshold ?? 0;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 0)
    throw bad(
      configFile,
      `${at}.shamir_threshold`,
      'must be a whole number (how many key groups must decrypt)',
    );
  const macOnly = raw.mac_only_encrypted ?? false;
  if (typeof macOnly !== 'boolean')
    throw bad(configFile, `${at}.mac_only_encrypted`, 'must be true or false');
  let keyGroups: KeyGroupSpec[];
  const groups = raw.key_groups;
  if (Array.isArray(groups) && groups.length > 0) {
    keyGroups = groups.map((g, i) => groupFrom(g, configFile, `${at}.key_groups[${i}]`));
  } else {
    if (groups !== undefined && groups !== null && !Array.isArray(groups))
      throw bad(configFile, `${at}.key_groups`, 'must be a list of key groups');
    const awsProfile = optionalString(raw.aws_profile, configFile, `${at}.aws_profile`);
    keyGroups = [
      {
        age: keyList(raw.age, configFile, `${at}.age`),
        pgp: keyList(raw.pgp, configFile, `${at}.pgp`),
        kms: kmsFromStrings(keyList(raw.kms, configFile, `${at}.kms`), context, awsProfile),
      },
    ];
  }
  return { at, keyGroups, shamirThreshold: threshold, rules, macOnlyEncrypted: macOnly };
}

function regexOf(source: string, configFile: string, field: string): RegExp {
  try {
    return re2ToRegExp(source, configFile);
  } catch {
    throw bad(configFile, field, `is not a valid regular expression: ${JSON.stringify(source)}`);
  }
}

export interface SopsConfig {
  configFile: string;
  /** The rules in file order, all already checked. */
  creationRules: { at: string; pathRegex: string; raw: Raw }[];
}

/** Parses `.sops.yaml`; a file without `creation_rules` has none (sops then treats it as absent). */
export function parseSopsConfig(text: string, configFile: string): SopsConfig {
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true });
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw bad(configFile, 'the file', `is not valid YAML${line ? ` (line ${line})` : ''}; fix its syntax`);
  }
  if (doc === null || doc === undefined) return { configFile, creationRules: [] };
  if (!isMapping(doc)) throw bad(configFile, 'the file', 'must be a mapping with creation_rules');
  const list = doc.creation_rules;
  if (list === undefined || list === null) return { configFile, creationRules: [] };
  if (!Array.isArray(list)) throw bad(configFile, 'creation_rules', 'must be a list of rules');
  const creationRules = list.map((raw, i) => {
    const at = `creation_rules[${i}]`;
    if (!isMapping(raw)) throw bad(configFile, at, 'must be a mapping (path_regex, age, kms, pgp, …)');
    const pathRegex = optionalString(raw.path_regex, configFile, `${at}.path_regex`);
    // Every rule is checked now, not only the one a file picks: a mistake shows on the first run.
    if (pathRegex) regexOf(pathRegex, configFile, `${at}.path_regex`);
    ruleFrom(raw, configFile, at, {});
    return { at, pathRegex, raw };
  });
  return { configFile, creationRules };
}

/** sops' parseCreationRuleForFile: the first rule without path_regex or whose regex matches `relativePath`
 * (unanchored, as Go's MatchString); undefined when none does. `context` is --encryption-context. */
export function creationRuleFor(
  config: SopsConfig,
  relativePath: string,
  context: Record<string, string> = {},
): CreationRule | undefined {
  for (const r of config.creationRules) {
    if (r.pathRegex && !regexOf(r.pathRegex, config.configFile, `${r.at}.path_regex`).test(relativePath))
      continue;
    return ruleFrom(r.raw, config.configFile, r.at, context);
  }
  return undefined;
}

/** The path sops matches: the absolute file path with the config's directory and one separator trimmed. */
export function pathForRules(absoluteFile: string, configDir: string, sep = '/'): string {
  const prefix = configDir.endsWith(sep) ? configDir : configDir + sep;
  return absoluteFile.startsWith(prefix) ? absoluteFile.slice(prefix.length) : absoluteFile;
}
