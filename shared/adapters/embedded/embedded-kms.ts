// The embedded store's KMS endpoint (AWS JSON 1.1, `TrentService.Decrypt` only): how a local puller opens
// its cluster's data keys with the same SDK call it makes in the cloud, checked against the same policy
// document as its cloud role (the encryption context's `cluster` is the IAM condition key it carries).
import type { AccessRequest } from '../../core/aws/evaluate-policy.ts';
import { isSluiceError } from '../../core/errors.ts';

/** The embedded key service as the endpoint needs it (LocalDataKeys). */
export interface EmbeddedKeyService {
  readonly keyId: string;
  decrypt(blob: Buffer, context: Record<string, string>, keyId?: string): Buffer;
}

export interface KmsCall {
  operation: string;
  input: { CiphertextBlob?: unknown; EncryptionContext?: unknown; KeyId?: unknown };
}

const JSON_11 = 'application/x-amz-json-1.1';

/** The call, if the request is one to KMS; undefined for SQS/S3 requests. */
export function parseKmsCall(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): KmsCall | undefined {
  const target = headers['x-amz-target'];
  if (!String(headers['content-type'] ?? '').includes(JSON_11) || typeof target !== 'string')
    return undefined;
  if (!target.startsWith('TrentService.')) return undefined;
  let input: KmsCall['input'] = {};
  try {
    input = JSON.parse(body.toString('utf8') || '{}') as KmsCall['input'];
  } catch {
    input = {};
  }
  return { operation: target.slice('TrentService.'.length), input: input ?? {} };
}

function contextOf(call: KmsCall): Record<string, string> | undefined {
  const ctx = call.input.EncryptionContext ?? {};
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) return undefined;
  const entries = Object.entries(ctx as Record<string, unknown>);
  return entries.every(([, v]) => typeof v === 'string') ? (ctx as Record<string, string>) : undefined;
}

/** What IAM would evaluate: kms:Decrypt on the wrapping key, with each context entry as a condition key. */
export function kmsAccessRequest(call: KmsCall, keys: EmbeddedKeyService): AccessRequest | undefined {
  const ctx = contextOf(call);
  if (call.operation !== 'Decrypt' || !ctx) return undefined;
  return {
    action: 'kms:Decrypt',
    resource: keys.keyId,
    context: Object.fromEntries(Object.entries(ctx).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
  };
}

/** The answer KMS would give; an allowed caller with a blob that does not open gets InvalidCiphertextException. */
export function answerKms(call: KmsCall, keys: EmbeddedKeyService): { status: number; body: string } {
  const error = (type: string, message: string) => ({
    status: 400,
    body: JSON.stringify({ __type: type, message }),
  });
  const ctx = contextOf(call);
  if (call.operation !== 'Decrypt')
    return error('UnsupportedOperationException', `${call.operation} is not served here`);
  if (!ctx || typeof call.input.CiphertextBlob !== 'string')
    return error('ValidationException', 'CiphertextBlob and a string-valued EncryptionContext are required');
  const keyId = typeof call.input.KeyId === 'string' ? call.input.KeyId : keys.keyId;
  if (keyId !== keys.keyId) return error('NotFoundException', `Key '${keyId}' does not exist`);
  try {
    const plaintext = keys.decrypt(Buffer.from(call.input.CiphertextBlob, 'base64'), ctx, keyId);
    return {
      status: 200,
      body: JSON.stringify({
        KeyId: keys.keyId,
        Plaintext: plaintext.toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      }),
    };
  } catch (err) {
    if (isSluiceError(err)) return error('InvalidCiphertextException', '');
    throw err;
  }
}
