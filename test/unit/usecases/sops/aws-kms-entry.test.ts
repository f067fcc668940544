// A decryption Secret's sops.aws-kms entry read as kustomize-controller's LoadStaticCredentialsFromYAML reads
// it (sigs.k8s.io/yaml into json-tagged fields): case-insensitive names, unknown fields ignored, strings only.
import { describe, expect, it } from 'vitest';
import { parseAwsKmsEntry } from '../../../../shared/adapters/sops/aws-kms-entry.ts';
import { errorOf } from '../../../support/error-of.ts';

const SOURCE = 'Secret flux-system/sops-keys entry sops.aws-kms';

describe('parseAwsKmsEntry', () => {
  it('reads the three fields, the session token optional', () => {
    expect(
      parseAwsKmsEntry(
        'aws_access_key_id: test-id\naws_secret_access_key: test-secret\naws_session_token: test-token\n',
        SOURCE,
      ),
    ).toEqual({
      ok: true,
      credentials: { accessKeyId: 'test-id', secretAccessKey: 'test-secret', sessionToken: 'test-token' },
    });
    expect(parseAwsKmsEntry('aws_access_key_id: a\naws_secret_access_key: b\n', SOURCE)).toEqual({
      ok: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  });

  it('matches field names case-insensitively and ignores other fields, as Go json does', () => {
    expect(
      parseAwsKmsEntry('AWS_ACCESS_KEY_ID: a\nAws_Secret_Access_Key: b\nregion: eu-west-1\n', SOURCE),
    ).toEqual({ ok: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  });

  it.each([
    ['', ['aws_access_key_id', 'aws_secret_access_key']],
    ['aws_access_key_id: a\n', ['aws_secret_access_key']],
    ['aws_access_key_id: a\naws_secret_access_key: null\n', ['aws_secret_access_key']],
    ['other: x\n', ['aws_access_key_id', 'aws_secret_access_key']],
  ])('imports %j with empty credentials (Flux fails each KMS key at use)', (text, missing) => {
    expect(parseAwsKmsEntry(text, SOURCE)).toEqual({ ok: false, missing });
  });

  it.each([
    ['not YAML', 'aws_access_key_id: "unclosed\n  - [x'],
    ['not a mapping', '- aws_access_key_id\n'],
    ['a number for a string', 'aws_access_key_id: 1234\naws_secret_access_key: b\n'],
    ['a list for a string', 'aws_access_key_id: a\naws_secret_access_key: [b]\n'],
  ])('refuses an entry that is %s, naming it without quoting it', (_, text) => {
    const err = errorOf(() => parseAwsKmsEntry(text, SOURCE));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain(`failed to import ${SOURCE}`);
    expect(err.message).not.toMatch(/unclosed|1234|\[b\]/);
  });
});
