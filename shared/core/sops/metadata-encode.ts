// The `sops:` block a writer stores (SPEC-SOPS §6, stores/stores.go `metadata` struct in field order, empty
// lists omitted as sops ≥ 3.10 does), and its flattened form for dotenv (`sops_` keys) and INI (`[sops]`).
import type { KmsKeyEntry, SopsCryptRules, SopsKeyEntry, SopsKeyGroup } from './sops-metadata.ts';

/** The sops version whose file format Sluice writes. */
export const SOPS_WRITER_VERSION = '3.13.0';

export interface MetadataToWrite {
  keyGroups: readonly SopsKeyGroup[];
  shamirThreshold: number;
  /** Canonical RFC 3339 (seconds, `Z`): also the MAC's AAD. */
  lastModified: string;
  /** The ENC-encrypted MAC. */
  mac: string;
  rules: SopsCryptRules;
  macOnlyEncrypted: boolean;
}

/** A mapping whose key order is the order sops writes (plain objects keep insertion order for these keys). */
export type RawMetadata = Record<string, unknown>;

const RULE_FIELDS = [
  ['unencryptedSuffix', 'unencrypted_suffix'],
  ['encryptedSuffix', 'encrypted_suffix'],
  ['unencryptedRegex', 'unencrypted_regex'],
  ['encryptedRegex', 'encrypted_regex'],
  ['unencryptedCommentRegex', 'unencrypted_comment_regex'],
  ['encryptedCommentRegex', 'encrypted_comment_regex'],
] as const;

function kmsEntry(e: KmsKeyEntry): RawMetadata {
  return {
    arn: e.arn,
    ...(e.role && { role: e.role }),
    ...(Object.keys(e.context).length > 0 && { context: { ...e.context } }),
    created_at: e.createdAt,
    enc: e.enc,
    aws_profile: e.awsProfile ?? '',
  };
}

function entryFields(e: SopsKeyEntry): RawMetadata {
  switch (e.type) {
    case 'age':
      return { recipient: e.recipient, enc: e.enc };
    case 'pgp':
      return { created_at: e.createdAt, enc: e.enc, fp: e.fp };
    case 'kms':
      return kmsEntry(e);
    default:
      return { ...e.fields, enc: e.enc };
  }
}

/** A group's lists in sops' struct order (kms, gcp_kms, hckms, azure_kv, hc_vault, age, pgp last). */
function groupLists(group: SopsKeyGroup): { head: RawMetadata; pgp: RawMetadata[] } {
  const head: RawMetadata = {};
  for (const type of ['kms', 'gcp_kms', 'hckms', 'azure_kv', 'hc_vault', 'age'] as const) {
    const list = group.filter((e) => e.type === type).map(entryFields);
    if (list.length > 0) head[type] = list;
  }
  return { head, pgp: group.filter((e) => e.type === 'pgp').map(entryFields) };
}

export function encodeMetadata(md: MetadataToWrite): RawMetadata {
  const out: RawMetadata = {};
  let pgp: RawMetadata[] = [];
  if (md.keyGroups.length > 1) {
    out.shamir_threshold = md.shamirThreshold;
    out.key_groups = md.keyGroups.map((g) => {
      const lists = groupLists(g);
      return { ...lists.head, ...(lists.pgp.length > 0 && { pgp: lists.pgp }) };
    });
  } else if (md.keyGroups[0]) {
    const lists = groupLists(md.keyGroups[0]);
    Object.assign(out, lists.head);
    pgp = lists.pgp;
  }
  out.lastmodified = md.lastModified;
  out.mac = md.mac;
  if (pgp.length > 0) out.pgp = pgp;
  for (const [from, to] of RULE_FIELDS) if (md.rules[from]) out[to] = md.rules[from];
  if (md.macOnlyEncrypted) out.mac_only_encrypted = true;
  out.version = SOPS_WRITER_VERSION;
  return out;
}

/** stores/flatten.go: nested maps join with `__map_`, list items with `__list_<i>`; keys sorted, values as text. */
export function flattenMetadata(md: RawMetadata): [string, string][] {
  const out: [string, string][] = [];
  const walk = (prefix: string, v: unknown) => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(`${prefix}__list_${i}`, x);
    } else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(prefix === '' ? k : `${prefix}__map_${k}`, x);
    else out.push([prefix, String(v)]);
  };
  walk('', md);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
