// Reads a decryption Secret's `sops.aws-kms` entry as kustomize-controller's LoadStaticCredentialsFromYAML
// does: YAML with aws_access_key_id, aws_secret_access_key and optional aws_session_token (static credentials).
import { SluiceError } from '../../core/errors.ts';
import { parseYaml11 } from '../../core/render/yaml-codec.ts';
import type { AwsCredentials } from '../../ports/role-assumer.ts';

/** The entry name kustomize-controller looks for (DecryptionAWSKmsFile). */
export const AWS_KMS_ENTRY = 'sops.aws-kms';

const FIELDS = {
  aws_access_key_id: 'accessKeyId',
  aws_secret_access_key: 'secretAccessKey',
  aws_session_token: 'sessionToken',
} as const;

export type StaticAwsCredentials =
  | { ok: true; credentials: AwsCredentials }
  /** Flux imports such an entry and fails each KMS key at use ("static credentials are empty"). */
  | { ok: false; missing: string[] };

/**
 * `source` names the entry in errors (e.g. `Secret flux-system/sops-keys entry sops.aws-kms`). Field names
 * match case-insensitively and unknown fields are ignored, as Go's json.Unmarshal (sigs.k8s.io/yaml) does;
 * a value that is not a string, or text that is not a YAML mapping, is refused. No error quotes the text.
 */
export function parseAwsKmsEntry(text: string, source: string): StaticAwsCredentials {
  const parsed = parseYaml11(text);
  const refuse = (why: string) =>
    new SluiceError(
      'ValidationFailed',
      `failed to import ${source}: ${why}; it must be YAML with aws_access_key_id, aws_secret_access_key and optionally aws_session_token`,
    );
  // The parser's message may quote a line of the entry (a key): never pass it on.
  if ('error' in parsed) throw refuse('it is not valid YAML');
  const doc = parsed.value;
  if (doc === null || doc === undefined) return { ok: false, missing: Object.keys(FIELDS).slice(0, 2) };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw refuse('it is not a YAML mapping');
  const found: Partial<Record<(typeof FIELDS)[keyof typeof FIELDS], string>> = {};
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    const field = Object.keys(FIELDS).find((f) => f === name.toLowerCase()) as
      | keyof typeof FIELDS
      | undefined;
    if (!field || value === null) continue;
    if (typeof value !== 'string') throw refuse(`${field} is not a string`);
    found[FIELDS[field]] = value;
  }
  const { accessKeyId = '', secretAccessKey = '', sessionToken = '' } = found;
  const missing = [
    ...(accessKeyId ? [] : ['aws_access_key_id']),
    ...(secretAccessKey ? [] : ['aws_secret_access_key']),
  ];
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, credentials: { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) } };
}
