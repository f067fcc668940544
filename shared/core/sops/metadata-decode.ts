// Turns the raw `sops:` mapping (already unflattened for dotenv/INI) into typed SopsMetadata (SPEC-SOPS §6),
// weakly typed like sops' mapstructure decoding; errors name the file and field, never a key's `enc`.
import { SluiceError } from '../errors.ts';
import type { SopsCryptRules, SopsKeyEntry, SopsKeyGroup, SopsMetadata } from './sops-metadata.ts';

type Raw = Record<string, unknown>;

/** Go `time.Parse(RFC3339, s).Format(RFC3339)`: fractional seconds dropped, `+00:00` → `Z`. */
export function canonicalRfc3339(s: string, file: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) throw invalid(file, 'lastmodified', 'is not an RFC 3339 time');
  const zone = m[3] === 'z' || m[3] === 'Z' || m[3] === '+00:00' ? 'Z' : (m[3] ?? 'Z');
  return `${m[1]}T${m[2]}${zone}`;
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : String(v);
}

function list(v: unknown, file: string, field: string): Raw[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(file, field, 'is not a list');
  return v.map((e) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e))
      throw invalid(file, field, 'has an entry that is not a mapping');
    return e as Raw;
  });
}

function stringFields(e: Raw): Record<string, string> {
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, str(v)]));
}

// sops' `internalGroupFrom` order: kms, gcp_kms, hckms, azure_kv, hc_vault, pgp, age.
function groupFrom(g: Raw, file: string, at: string): SopsKeyEntry[] {
  const out: SopsKeyEntry[] = [];
  for (const e of list(g.kms, file, `${at}kms`)) {
    const ctx = e.context;
    out.push({
      type: 'kms',
      arn: str(e.arn),
      role: e.role === undefined || e.role === null || e.role === '' ? undefined : str(e.role),
      context:
        typeof ctx === 'object' && ctx !== null
          ? Object.fromEntries(Object.entries(ctx as Raw).map(([k, v]) => [k, str(v)]))
          : {},
      createdAt: str(e.created_at),
      enc: str(e.enc),
      awsProfile: e.aws_profile ? str(e.aws_profile) : undefined,
    });
  }
  for (const type of ['gcp_kms', 'hckms', 'azure_kv', 'hc_vault'] as const) {
    for (const e of list(g[type], file, `${at}${type}`)) {
      const { enc, ...rest } = e;
      out.push({ type, fields: stringFields(rest), enc: str(enc) });
    }
  }
  for (const e of list(g.pgp, file, `${at}pgp`))
    out.push({ type: 'pgp', fp: str(e.fp), createdAt: str(e.created_at), enc: str(e.enc) });
  for (const e of list(g.age, file, `${at}age`))
    out.push({ type: 'age', recipient: str(e.recipient), enc: str(e.enc) });
  return out;
}

export function decodeMetadata(raw: unknown, file: string): SopsMetadata {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SluiceError(
      'ValidationFailed',
      `${file} has no sops metadata: it is not a SOPS-encrypted file.`,
      { file },
    );
  }
  const m = raw as Raw;
  const top = groupFrom(m, file, '');
  let keyGroups: SopsKeyGroup[];
  if (top.length > 0) keyGroups = [top];
  else
    keyGroups = list(m.key_groups, file, 'key_groups').map((g, i) => groupFrom(g, file, `key_groups[${i}].`));
  if (keyGroups.length === 0)
    throw invalid(file, 'sops', 'lists no keys (no age, pgp, kms or key_groups entries)');
  const lastModified = str(m.lastmodified);
  const rules: SopsCryptRules = {};
  const ruleFields = [
    ['unencrypted_suffix', 'unencryptedSuffix'],
    ['encrypted_suffix', 'encryptedSuffix'],
    ['unencrypted_regex', 'unencryptedRegex'],
    ['encrypted_regex', 'encryptedRegex'],
    ['unencrypted_comment_regex', 'unencryptedCommentRegex'],
    ['encrypted_comment_regex', 'encryptedCommentRegex'],
  ] as const;
  for (const [from, to] of ruleFields)
    if (m[from] !== undefined && m[from] !== null && m[from] !== '') rules[to] = str(m[from]);
  const threshold = Number(str(m.shamir_threshold) || '0');
  if (!Number.isInteger(threshold) || threshold < 0)
    throw invalid(file, 'shamir_threshold', 'is not a whole number');
  const macOnly = str(m.mac_only_encrypted).toLowerCase();
  return {
    keyGroups,
    shamirThreshold: threshold,
    lastModified,
    macAad: canonicalRfc3339(lastModified, file),
    mac: str(m.mac),
    version: str(m.version),
    rules,
    macOnlyEncrypted: macOnly === 'true' || macOnly === '1' || macOnly === 't',
  };
}

function invalid(file: string, field: string, why: string): SluiceError {
  return new SluiceError('ValidationFailed', `${file}: sops metadata field ${field} ${why}.`, {
    file,
    field,
  });
}
