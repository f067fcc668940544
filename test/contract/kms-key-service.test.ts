// KmsKeyService against the test KMS server with injected faults: an outage (throttling, KMS's 5xx, a
// dropped connection) is KeyServiceUnavailable and retryable; a refusal (disabled key, access denied, key
// pending deletion) is a permanent ConfigInvalid naming the key. The service recovers once KMS answers.
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsKeyService } from '../../shared/adapters/aws/kms-key-service.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type KmsFault, type KmsServer, startKmsServer } from '../support/kms-server.ts';

let server: KmsServer;
let kms: KMSClient;

beforeAll(async () => {
  server = await startKmsServer();
  // One attempt: the SDK's own retries would hide the fault this suite injects.
  kms = new KMSClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  kms?.destroy();
  await server?.close();
});

const message = new TextEncoder().encode('sha256:0123456789abcdef');

function newService(): { service: KmsKeyService; arn: string } {
  const { arn } = server.createKey('ECC_NIST_P256');
  return { service: new KmsKeyService(kms, arn), arn };
}

const outages: [string, KmsFault][] = [
  ['throttling', { type: 'ThrottlingException', status: 400, message: 'Rate exceeded' }],
  ['an internal KMS error', { type: 'KMSInternalException', status: 500 }],
  ['a dependency timeout', { type: 'DependencyTimeoutException', status: 503 }],
  ['an unknown 5xx', { type: 'ServiceUnavailable', status: 503 }],
  ['a dropped connection', 'disconnect'],
];

const refusals: [string, KmsFault][] = [
  ['a disabled key', { type: 'DisabledException', status: 400, message: 'key is disabled' }],
  ['denied access', { type: 'AccessDeniedException', status: 400, message: 'not authorized' }],
  ['a key pending deletion', { type: 'KMSInvalidStateException', status: 400 }],
];

describe('KmsKeyService under KMS faults', () => {
  it.each(outages)(
    'signs: %s is KeyServiceUnavailable, retryable, and the next sign succeeds',
    async (_case, fault) => {
      const { service, arn } = newService();
      server.failNext('Sign', fault);
      const err = await rejectionOf(service.sign(message));
      expect(err).toMatchObject({ code: 'KeyServiceUnavailable', retryable: true });
      expect(err.message).toContain(arn);
      expect((await service.sign(message)).length).toBeGreaterThan(0);
    },
  );

  it.each(refusals)('signs: %s is a permanent ConfigInvalid naming the key', async (_case, fault) => {
    const { service, arn } = newService();
    server.failNext('Sign', fault);
    const err = await rejectionOf(service.sign(message));
    expect(err).toMatchObject({ code: 'ConfigInvalid', retryable: false });
    expect(err.message).toContain(arn);
  });

  it('reads the public key again after an outage instead of caching the failure', async () => {
    const { service } = newService();
    server.failNext('GetPublicKey', { type: 'ThrottlingException', status: 400 });
    expect(await rejectionOf(service.publicKeyPem())).toMatchObject({
      code: 'KeyServiceUnavailable',
      retryable: true,
    });
    expect(await service.publicKeyPem()).toContain('BEGIN PUBLIC KEY');
  });

  it('refuses a key that does not exist, permanently', async () => {
    const arn = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000';
    const err = await rejectionOf(new KmsKeyService(kms, arn).sign(message));
    expect(err).toMatchObject({ code: 'ConfigInvalid', retryable: false });
    expect(err.message).toContain(arn);
  });
});
