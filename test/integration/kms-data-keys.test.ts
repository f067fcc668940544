// The cloud data key service over the real @aws-sdk/client-kms against the test KMS server: keys are made
// and opened with the cluster as encryption context, and each KMS answer becomes the right typed error.
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsDataKeys } from '../../shared/adapters/aws/kms-data-keys.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';

let kms: KmsServer;
let client: KMSClient;
let keyArn: string;

beforeAll(async () => {
  kms = await startKmsServer();
  client = new KMSClient({
    region: 'us-east-1',
    endpoint: kms.endpoint,
    credentials: { accessKeyId: 'AKIDCONTROLPLANE', secretAccessKey: 'x' },
  });
  keyArn = kms.createKey('SYMMETRIC_DEFAULT', { alias: 'sluice-data' }).arn;
});
afterAll(async () => {
  client.destroy();
  await kms.close();
});

describe('KmsDataKeys', () => {
  it("makes a cluster's data key with the cluster as encryption context, and opens it with the same", async () => {
    const keys = new KmsDataKeys(client, { keyArn });
    const { key, wrapped } = await keys.generate('dev');
    expect(key.length).toBe(32);
    expect(wrapped.keyId).toContain('key/');
    expect(Buffer.from(await keys.unwrap('dev', wrapped)).equals(Buffer.from(key))).toBe(true);
    expect((await rejectionOf(keys.unwrap('prod', wrapped))).code).toBe('DecryptionFailed');
  });

  it('retries throttling and names the key; a disabled key is a configuration error', async () => {
    const keys = new KmsDataKeys(client, { keyArn, caller: 'the control plane' });
    // As many as the SDK's own three attempts.
    kms.throttle(3, 'GenerateDataKey');
    const throttled = await rejectionOf(keys.generate('dev'));
    expect([throttled.code, throttled.retryable]).toEqual(['KeyServiceUnavailable', true]);
    expect(throttled.message).toContain(keyArn);
    kms.disableKey(keyArn);
    try {
      const disabled = await rejectionOf(keys.generate('dev'));
      expect([disabled.code, disabled.retryable]).toEqual(['ConfigInvalid', false]);
    } finally {
      kms.enableKey(keyArn);
    }
  });

  it('a key policy that does not admit the caller: AccessDenied with the grant that would allow it', async () => {
    const keys = new KmsDataKeys(client, { keyArn });
    const { wrapped } = await keys.generate('dev');
    kms.deny({
      key: keyArn,
      accessKeyId: 'AKIDPULLERPROD',
      principal: 'arn:aws:sts::111122223333:assumed-role/puller-prod/s',
    });
    const prod = new KmsDataKeys(
      new KMSClient({
        region: 'us-east-1',
        endpoint: kms.endpoint,
        credentials: { accessKeyId: 'AKIDPULLERPROD', secretAccessKey: 'x' },
      }),
      { caller: 'the puller of cluster prod' },
    );
    const err = await rejectionOf(prod.unwrap('dev', wrapped));
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain('"kms:EncryptionContext:cluster": "dev"');
    expect(err.message).toContain('the puller of cluster prod');
  });

  it('refuses to make a key when no key ARN is configured', async () => {
    expect((await rejectionOf(new KmsDataKeys(client).generate('dev'))).code).toBe('ConfigInvalid');
  });
});
