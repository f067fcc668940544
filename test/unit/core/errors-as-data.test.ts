// Errors as data: every failure's verdict (code, retryable, Flux reason) and HTTP answer comes from its code
// and typed properties, never from its message text; a message reaches an HTTP caller only when exposed.
import { describe, expect, it } from 'vitest';
import { type ErrorCode, SluiceError } from '../../../shared/core/errors.ts';
import { FLUX_REASONS, isFluxReason, reasonForCode } from '../../../shared/core/flux-reason.ts';
import { HttpError, httpAnswerOf } from '../../../shared/core/http-error.ts';
import { classifyFailure } from '../../../shared/core/pipeline/classify-failure.ts';

const SECRET_TEXT = 'token=ghp_0123456789 at /var/lib/sluice/keys/signing.pem';

describe('reasonForCode', () => {
  it.each<[ErrorCode, string]>([
    ['GitFetchFailed', 'ArtifactFailed'],
    ['GitAuthFailed', 'ArtifactFailed'],
    ['GitRefNotFound', 'ArtifactFailed'],
    ['SnapshotCorrupt', 'ArtifactFailed'],
    ['ReferenceNotFound', 'DependencyNotReady'],
    ['AccessDenied', 'AccessDenied'],
    ['ArtifactRejected', 'ArtifactRejected'],
    ['KustomizeFailed', 'BuildFailed'],
    ['SubstitutionFailed', 'BuildFailed'],
    ['ConfigInvalid', 'BuildFailed'],
    ['ApplyFailed', 'ReconciliationFailed'],
    ['PruneFailed', 'PruneFailed'],
    ['HealthCheckFailed', 'HealthCheckFailed'],
    ['StoreUnavailable', 'ReconciliationFailed'],
    ['QueueUnavailable', 'ReconciliationFailed'],
    ['KeyServiceUnavailable', 'ReconciliationFailed'],
    ['InvalidJob', 'ReconciliationFailed'],
    ['InternalError', 'ReconciliationFailed'],
  ])('gives %s the reason %s', (code, reason) => {
    expect(reasonForCode(code)).toBe(reason);
  });

  it('only ever answers a reason of the closed set', () => {
    const codes: ErrorCode[] = ['UsageError', 'LimitExceeded', 'WebhookRejected', 'SourceAddressRefused'];
    for (const code of codes) expect(isFluxReason(reasonForCode(code))).toBe(true);
    expect(isFluxReason('Progressing')).toBe(false);
    expect(new Set(FLUX_REASONS).size).toBe(FLUX_REASONS.length);
  });
});

describe('classifyFailure', () => {
  it.each<[string, unknown, { code: string; retryable: boolean; reason: string }]>([
    [
      'a store outage',
      new SluiceError('StoreUnavailable', 'store down', { retryable: true }),
      { code: 'StoreUnavailable', retryable: true, reason: 'ReconciliationFailed' },
    ],
    [
      'a KMS outage',
      new SluiceError('KeyServiceUnavailable', 'KMS throttled', { retryable: true }),
      { code: 'KeyServiceUnavailable', retryable: true, reason: 'ReconciliationFailed' },
    ],
    [
      'a failed build',
      new SluiceError('KustomizeFailed', 'kustomize build failed'),
      { code: 'KustomizeFailed', retryable: false, reason: 'BuildFailed' },
    ],
    [
      'a message that is no job',
      new SluiceError('InvalidJob', 'queue message is not JSON'),
      { code: 'InvalidJob', retryable: false, reason: 'ReconciliationFailed' },
    ],
    [
      'a missing source',
      new SluiceError('GitRefNotFound', 'no branch main'),
      { code: 'GitRefNotFound', retryable: false, reason: 'ArtifactFailed' },
    ],
    [
      'a bug (not a SluiceError)',
      new TypeError('x is undefined'),
      { code: 'InternalError', retryable: true, reason: 'ReconciliationFailed' },
    ],
    ['a thrown string', 'boom', { code: 'InternalError', retryable: true, reason: 'ReconciliationFailed' }],
  ])('classifies %s', (_case, err, verdict) => {
    expect(classifyFailure(err)).toMatchObject(verdict);
  });

  it('decides by code and retryable, whatever the message says', () => {
    const worded = new SluiceError('BuildFailed', 'temporarily unavailable, please retry (503)');
    expect(classifyFailure(worded)).toMatchObject({ code: 'BuildFailed', retryable: false });
  });
});

describe('httpAnswerOf', () => {
  it.each<[string, unknown, number, string, boolean]>([
    [
      'a bad signature',
      new HttpError(401, 'WebhookRejected', 'webhook signature missing or invalid'),
      401,
      'WebhookRejected',
      true,
    ],
    [
      'a bad webhook body',
      new SluiceError('WebhookRejected', 'webhook body is not JSON'),
      400,
      'WebhookRejected',
      true,
    ],
    [
      'a store outage',
      new SluiceError('StoreUnavailable', SECRET_TEXT, { retryable: true }),
      503,
      'StoreUnavailable',
      false,
    ],
    [
      'a permanent internal failure',
      new SluiceError('ConfigInvalid', SECRET_TEXT),
      500,
      'ConfigInvalid',
      false,
    ],
    ['a bug', new TypeError(SECRET_TEXT), 500, 'InternalError', false],
    ['a 5xx HttpError', new HttpError(502, 'InternalError', SECRET_TEXT), 502, 'InternalError', false],
    ['a thrown non-error', SECRET_TEXT, 500, 'InternalError', false],
  ])('answers %s', (_case, err, status, code, shown) => {
    const answer = httpAnswerOf(err);
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
    const own = err instanceof Error ? err.message : String(err);
    if (shown) expect(answer.body.error).toBe(own);
    else expect(answer.body.error).not.toContain('ghp_');
  });

  it('exposes a 4xx message by default and never a 5xx one unless asked', () => {
    expect(new HttpError(404, 'UsageError', 'no such route').expose).toBe(true);
    expect(new HttpError(500, 'InternalError', 'x').expose).toBe(false);
    expect(new HttpError(400, 'UsageError', 'x', { expose: false }).expose).toBe(false);
  });
});
