// Contract: the KMS stand-in (kms-server.ts) answers the real @aws-sdk/client-kms like AWS KMS does: signing
// and verification, public keys, envelope encryption bound to its context, key resolution and error types.

import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  DecryptCommand,
  DescribeKeyCommand,
  DisabledException,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetPublicKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSClient,
  KMSInvalidSignatureException,
  KMSServiceException,
  NotFoundException,
  SignCommand,
  UnsupportedOperationException,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsKeyService } from '../../shared/adapters/aws/kms-key-service.ts';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

let server: KmsServer;
let kms: KMSClient;
let signing: { keyId: string; arn: string };
let symmetric: { keyId: string; arn: string };
let otherSymmetric: { keyId: string; arn: string };

beforeAll(async () => {
  server = await startKmsServer();
  kms = new KMSClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  signing = server.createKey('ECC_NIST_P256', { alias: 'alias/sluice-signing' });
  symmetric = server.createKey('SYMMETRIC_DEFAULT', { alias: 'sluice-data' });
  otherSymmetric = server.createKey('SYMMETRIC_DEFAULT');
});

afterAll(async () => {
  kms?.destroy();
  await server?.close();
});

async function publicKeyOf(keyId: string) {
  const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (!PublicKey) throw new Error('no public key');
  return createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' });
}

/** The rejection of `promise`, asserted to be a KMS service error of `type` (class and wire name). */
async function rejection(promise: Promise<unknown>, type: string): Promise<KMSServiceException> {
  const err = await promise.then(
    () => {
      throw new Error(`expected ${type}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KMSServiceException);
  const serviceError = err as KMSServiceException;
  expect(serviceError.name).toBe(type);
  expect(serviceError.$metadata.httpStatusCode).toBe(400);
  return serviceError;
}

describe('createKey', () => {
  it('returns a UUID key id and its us-east-1 ARN', () => {
    expect(signing.keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(signing.arn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${signing.keyId}`);
  });

  it('refuses an alias that is already taken', () => {
    expect(() => server.createKey('SYMMETRIC_DEFAULT', { alias: 'sluice-signing' })).toThrow(
      /already exists/,
    );
  });
});

describe('Sign and Verify (ECC_NIST_P256, ECDSA_SHA_256)', () => {
  const message = utf8('sluice artifact manifest sha256:0123');

  it('signs a RAW message so node:crypto verifies it with the public key from GetPublicKey', async () => {
    const result = await kms.send(
      new SignCommand({
        KeyId: signing.keyId,
        Message: message,
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(result.KeyId).toBe(signing.arn);
    expect(result.SigningAlgorithm).toBe('ECDSA_SHA_256');
    const signature = Buffer.from(result.Signature ?? []);
    expect(signature[0]).toBe(0x30); // DER SEQUENCE
    const publicKey = await publicKeyOf(signing.arn);
    expect(verify('sha256', message, publicKey, signature)).toBe(true);
    expect(verify('sha256', utf8('another message'), publicKey, signature)).toBe(false);
  });

  it('treats a missing MessageType as RAW', async () => {
    const { Signature } = await kms.send(
      new SignCommand({ KeyId: signing.keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    expect(verify('sha256', message, await publicKeyOf(signing.keyId), Buffer.from(Signature ?? []))).toBe(
      true,
    );
  });

  it('signs a DIGEST as-is: the signature over sha256(m) verifies as a signature of m', async () => {
    const publicKey = await publicKeyOf(signing.keyId);
    for (let i = 0; i < 5; i++) {
      const m = utf8(`message ${i}`);
      const { Signature } = await kms.send(
        new SignCommand({
          KeyId: signing.keyId,
          Message: sha256(m),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      expect(verify('sha256', m, publicKey, Buffer.from(Signature ?? []))).toBe(true);
    }
  });

  it('rejects a DIGEST that is not 32 bytes with ValidationException', async () => {
    const err = await rejection(
      kms.send(
        new SignCommand({
          KeyId: signing.keyId,
          Message: new Uint8Array(20),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
      'ValidationException',
    );
    expect(err.message).toMatch(/Digest is invalid length/);
  });

  it('rejects a signing algorithm the key spec does not support with InvalidKeyUsageException', async () => {
    await rejection(
      kms.send(
        new SignCommand({ KeyId: signing.keyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
      ),
      'InvalidKeyUsageException',
    );
  });

  it('Verify accepts its own RAW and DIGEST signatures and node:crypto signatures', async () => {
    const { Signature } = await kms.send(
      new SignCommand({ KeyId: signing.keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const raw = await kms.send(
      new VerifyCommand({
        KeyId: signing.arn,
        Message: message,
        MessageType: 'RAW',
        Signature,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(raw).toMatchObject({
      KeyId: signing.arn,
      SignatureValid: true,
      SigningAlgorithm: 'ECDSA_SHA_256',
    });

    // The same signature checked against the digest exercises the pre-hashed verification path.
    const digest = await kms.send(
      new VerifyCommand({
        KeyId: signing.keyId,
        Message: sha256(message),
        MessageType: 'DIGEST',
        Signature,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(digest.SignatureValid).toBe(true);
  });

  it('Verify throws KMSInvalidSignatureException for a wrong message, digest or garbage signature', async () => {
    const { Signature } = await kms.send(
      new SignCommand({ KeyId: signing.keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const attempts = [
      { Message: utf8('tampered'), MessageType: 'RAW' as const, Signature },
      { Message: sha256(utf8('tampered')), MessageType: 'DIGEST' as const, Signature },
      { Message: message, MessageType: 'RAW' as const, Signature: utf8('not a DER signature') },
      { Message: sha256(message), MessageType: 'DIGEST' as const, Signature: utf8('not a DER signature') },
    ];
    for (const attempt of attempts) {
      const promise = kms.send(
        new VerifyCommand({ KeyId: signing.keyId, SigningAlgorithm: 'ECDSA_SHA_256', ...attempt }),
      );
      await expect(promise).rejects.toBeInstanceOf(KMSInvalidSignatureException);
      await rejection(promise, 'KMSInvalidSignatureException');
    }
  });

  it('Sign and Verify on a symmetric key throw InvalidKeyUsageException', async () => {
    const sign = kms.send(
      new SignCommand({ KeyId: symmetric.keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    await expect(sign).rejects.toBeInstanceOf(InvalidKeyUsageException);
    const err = await rejection(sign, 'InvalidKeyUsageException');
    expect(err.message).toBe(`${symmetric.arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`);
    await rejection(
      kms.send(
        new VerifyCommand({
          KeyId: symmetric.keyId,
          Message: message,
          Signature: utf8('x'),
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
      'InvalidKeyUsageException',
    );
  });

  it("drives Sluice's KmsKeyService: its signatures verify with its PEM public key", async () => {
    const service = new KmsKeyService(kms, signing.arn);
    const signature = await service.sign(message);
    const pem = await service.publicKeyPem();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(verify('sha256', message, pem, signature)).toBe(true);
  });
});

describe('GetPublicKey', () => {
  it('returns the DER SPKI of a P-256 key with its spec, usage and algorithms', async () => {
    const result = await kms.send(new GetPublicKeyCommand({ KeyId: signing.keyId }));
    expect(result).toMatchObject({
      KeyId: signing.arn,
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
    const key = createPublicKey({ key: Buffer.from(result.PublicKey ?? []), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('throws UnsupportedOperationException for a symmetric key', async () => {
    const promise = kms.send(new GetPublicKeyCommand({ KeyId: symmetric.keyId }));
    await expect(promise).rejects.toBeInstanceOf(UnsupportedOperationException);
  });
});

describe('Encrypt, Decrypt and GenerateDataKey (SYMMETRIC_DEFAULT)', () => {
  const context = { tenant: 'acme', cluster: 'prod-eu-1' };

  it('round-trips through Encrypt and Decrypt without naming the key on Decrypt', async () => {
    const plaintext = utf8('kubeconfig secret');
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: symmetric.keyId, Plaintext: plaintext, EncryptionContext: context }),
    );
    expect(encrypted.KeyId).toBe(symmetric.arn);
    expect(Buffer.from(encrypted.CiphertextBlob ?? []).includes(Buffer.from(plaintext))).toBe(false);
    const decrypted = await kms.send(
      new DecryptCommand({
        CiphertextBlob: encrypted.CiphertextBlob,
        // Same context, different key order: the context is canonicalised.
        EncryptionContext: { cluster: 'prod-eu-1', tenant: 'acme' },
      }),
    );
    expect(decrypted.KeyId).toBe(symmetric.arn);
    expect(Buffer.from(decrypted.Plaintext ?? []).toString()).toBe('kubeconfig secret');
  });

  it('Decrypt accepts the right KeyId and rejects another key with IncorrectKeyException', async () => {
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: 'alias/sluice-data', Plaintext: utf8('x') }),
    );
    const ok = await kms.send(new DecryptCommand({ CiphertextBlob, KeyId: symmetric.arn }));
    expect(Buffer.from(ok.Plaintext ?? []).toString()).toBe('x');
    const wrong = kms.send(new DecryptCommand({ CiphertextBlob, KeyId: otherSymmetric.keyId }));
    await expect(wrong).rejects.toBeInstanceOf(IncorrectKeyException);
  });

  it('binds the EncryptionContext: a different or missing context is InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: symmetric.keyId, Plaintext: utf8('bound'), EncryptionContext: context }),
    );
    const variants = [
      { ...context, tenant: 'other' },
      { tenant: 'acme' },
      undefined,
      { ...context, extra: '' },
    ];
    for (const EncryptionContext of variants) {
      const promise = kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext }));
      await expect(promise).rejects.toBeInstanceOf(InvalidCiphertextException);
    }
  });

  it('rejects a tampered or foreign ciphertext with InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: symmetric.keyId, Plaintext: utf8('integrity') }),
    );
    const tampered = Buffer.from(CiphertextBlob ?? []);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0x01;
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: tampered }))).rejects.toBeInstanceOf(
      InvalidCiphertextException,
    );
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: utf8('not a kms ciphertext at all, not at all') })),
    ).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('GenerateDataKey returns a plaintext key and a blob that decrypts to it under the same context', async () => {
    const generated = await kms.send(
      new GenerateDataKeyCommand({ KeyId: symmetric.arn, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    expect(generated.KeyId).toBe(symmetric.arn);
    expect(generated.Plaintext?.length).toBe(32);
    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(decrypted.Plaintext ?? [])).toEqual(Buffer.from(generated.Plaintext ?? []));
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob })),
    ).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('GenerateDataKey honours NumberOfBytes and AES_128, and needs exactly one of them', async () => {
    const bytes = await kms.send(new GenerateDataKeyCommand({ KeyId: symmetric.keyId, NumberOfBytes: 64 }));
    expect(bytes.Plaintext?.length).toBe(64);
    const aes128 = await kms.send(new GenerateDataKeyCommand({ KeyId: symmetric.keyId, KeySpec: 'AES_128' }));
    expect(aes128.Plaintext?.length).toBe(16);
    await rejection(kms.send(new GenerateDataKeyCommand({ KeyId: symmetric.keyId })), 'ValidationException');
    await rejection(
      kms.send(new GenerateDataKeyCommand({ KeyId: symmetric.keyId, KeySpec: 'AES_256', NumberOfBytes: 32 })),
      'ValidationException',
    );
  });

  it('Encrypt and GenerateDataKey on a signing key throw InvalidKeyUsageException', async () => {
    const encrypt = kms.send(new EncryptCommand({ KeyId: signing.keyId, Plaintext: utf8('x') }));
    await expect(encrypt).rejects.toBeInstanceOf(InvalidKeyUsageException);
    const err = await rejection(encrypt, 'InvalidKeyUsageException');
    expect(err.message).toBe(`${signing.arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`);
    await rejection(
      kms.send(new GenerateDataKeyCommand({ KeyId: signing.keyId, KeySpec: 'AES_256' })),
      'InvalidKeyUsageException',
    );
  });
});

describe('DescribeKey and key resolution', () => {
  it('describes both key kinds as enabled customer keys', async () => {
    const ecc = await kms.send(new DescribeKeyCommand({ KeyId: signing.keyId }));
    expect(ecc.KeyMetadata).toMatchObject({
      KeyId: signing.keyId,
      Arn: signing.arn,
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      KeyState: 'Enabled',
      Enabled: true,
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
    expect(ecc.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    const aes = await kms.send(new DescribeKeyCommand({ KeyId: symmetric.keyId }));
    expect(aes.KeyMetadata).toMatchObject({
      KeyId: symmetric.keyId,
      Arn: symmetric.arn,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Enabled: true,
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    });
  });

  it('resolves a key id, key ARN, alias name and alias ARN to the same key', async () => {
    const forms = [
      signing.keyId,
      signing.arn,
      'alias/sluice-signing',
      'arn:aws:kms:us-east-1:000000000000:alias/sluice-signing',
    ];
    for (const KeyId of forms) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId }));
      expect(KeyMetadata?.KeyId).toBe(signing.keyId);
    }
  });

  it('throws NotFoundException for an unknown key id, key ARN, alias or malformed id', async () => {
    const unknown = '11111111-2222-3333-4444-555555555555';
    const cases = [
      unknown,
      `arn:aws:kms:us-east-1:000000000000:key/${unknown}`,
      'alias/missing',
      'arn:aws:kms:us-east-1:000000000000:alias/missing',
      `arn:aws:kms:eu-west-1:000000000000:key/${signing.keyId}`,
      'not-a-key',
    ];
    for (const KeyId of cases) {
      await expect(kms.send(new DescribeKeyCommand({ KeyId }))).rejects.toBeInstanceOf(NotFoundException);
    }
    const err = await rejection(kms.send(new DescribeKeyCommand({ KeyId: unknown })), 'NotFoundException');
    expect(err.message).toBe(`Key 'arn:aws:kms:us-east-1:000000000000:key/${unknown}' does not exist`);
    const calls = [
      () =>
        kms.send(new SignCommand({ KeyId: unknown, Message: utf8('m'), SigningAlgorithm: 'ECDSA_SHA_256' })),
      () => kms.send(new GetPublicKeyCommand({ KeyId: 'alias/missing' })),
      () => kms.send(new EncryptCommand({ KeyId: unknown, Plaintext: utf8('m') })),
      () => kms.send(new GenerateDataKeyCommand({ KeyId: unknown, KeySpec: 'AES_256' })),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(NotFoundException);
  });
});

describe('wire protocol', () => {
  async function post(target: string | undefined, body: string) {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.1' };
    if (target) headers['X-Amz-Target'] = target;
    const res = await fetch(`${server.endpoint}/`, { method: 'POST', headers, body });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      json: (await res.json()) as Record<string, unknown>,
    };
  }

  it('speaks AWS JSON 1.1 with base64 blobs', async () => {
    const res = await post(
      'TrentService.Sign',
      JSON.stringify({
        KeyId: signing.keyId,
        Message: Buffer.from('wire').toString('base64'),
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/x-amz-json-1.1');
    expect(res.json.KeyId).toBe(signing.arn);
    const signature = Buffer.from(String(res.json.Signature), 'base64');
    expect(verify('sha256', utf8('wire'), await publicKeyOf(signing.keyId), signature)).toBe(true);
  });

  it('answers errors with __type and message on HTTP 400', async () => {
    const res = await post('TrentService.DescribeKey', JSON.stringify({ KeyId: 'alias/nope' }));
    expect(res).toMatchObject({ status: 400, json: { __type: 'NotFoundException' } });
    expect(typeof res.json.message).toBe('string');
  });

  it('answers an unknown or missing target with UnknownOperationException', async () => {
    for (const target of ['TrentService.CreateUniverse', 'Other_20240101.Sign', undefined]) {
      const res = await post(target, '{}');
      expect(res).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    }
  });

  it('answers a malformed body with SerializationException', async () => {
    const res = await post('TrentService.DescribeKey', '{not json');
    expect(res).toMatchObject({ status: 400, json: { __type: 'SerializationException' } });
  });

  it('records each request target and the access key that signed it', async () => {
    const before = server.requests.length;
    await kms.send(new DescribeKeyCommand({ KeyId: symmetric.keyId }));
    await post('TrentService.Nope', '{}');
    expect(server.requests.slice(before)).toEqual([
      { target: 'TrentService.DescribeKey', operation: 'DescribeKey', accessKeyId: 'test' },
      { target: 'TrentService.Nope', operation: 'Nope', accessKeyId: '' },
    ]);
  });
});

describe('key policies, disabled keys and throttling', () => {
  const ROLE_PRINCIPAL = 'arn:aws:sts::000000000000:assumed-role/cluster-b-puller/session';
  const clientAs = (accessKeyId: string, secretAccessKey = 'test') =>
    new KMSClient({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });

  it('denies one caller by its access key with AccessDeniedException naming the principal and key only', async () => {
    const key = server.createKey('SYMMETRIC_DEFAULT');
    const context = { tenant: 'context-value-a' };
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({
        KeyId: key.arn,
        Plaintext: utf8('cluster-a-data-key'),
        EncryptionContext: context,
      }),
    );
    server.deny({
      key: key.keyId,
      accessKeyId: 'ASIAPULLERB',
      principal: ROLE_PRINCIPAL,
      operations: ['Decrypt'],
    });
    const denied = clientAs('ASIAPULLERB', 'puller-b-secret-value');
    try {
      const err = await rejection(
        denied.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context })),
        'AccessDeniedException',
      );
      expect(err.message).toContain(ROLE_PRINCIPAL);
      expect(err.message).toContain(key.arn);
      for (const secret of [
        'puller-b-secret-value',
        'ASIAPULLERB',
        'cluster-a-data-key',
        'context-value-a',
      ]) {
        expect(err.message).not.toContain(secret);
      }
      // Only the listed operation and only this caller are denied.
      await denied.send(new EncryptCommand({ KeyId: key.arn, Plaintext: utf8('x') }));
      const ok = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
      expect(Buffer.from(ok.Plaintext ?? []).toString()).toBe('cluster-a-data-key');
    } finally {
      denied.destroy();
    }
  });

  it('denies every operation on the key when no operations are listed, whatever KeyId form is used', async () => {
    const key = server.createKey('SYMMETRIC_DEFAULT', { alias: 'denied-all' });
    server.deny({ key: 'alias/denied-all', accessKeyId: 'ASIAOTHER', principal: ROLE_PRINCIPAL });
    const denied = clientAs('ASIAOTHER');
    try {
      for (const KeyId of [key.keyId, key.arn, 'alias/denied-all']) {
        await rejection(
          denied.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' })),
          'AccessDeniedException',
        );
      }
      await rejection(denied.send(new DescribeKeyCommand({ KeyId: key.arn })), 'AccessDeniedException');
    } finally {
      denied.destroy();
    }
  });

  it('words an implicit deny and an explicit Deny statement as KMS does', async () => {
    const key = server.createKey('SYMMETRIC_DEFAULT');
    server.deny({ key: key.arn, accessKeyId: 'ASIAIMPLICIT', principal: ROLE_PRINCIPAL });
    server.deny({ key: key.arn, accessKeyId: 'ASIAEXPLICIT', principal: ROLE_PRINCIPAL, explicit: true });
    const implicit = clientAs('ASIAIMPLICIT');
    const explicit = clientAs('ASIAEXPLICIT');
    try {
      const call = (c: KMSClient) => c.send(new EncryptCommand({ KeyId: key.arn, Plaintext: utf8('x') }));
      const a = await rejection(call(implicit), 'AccessDeniedException');
      expect(a.message).toContain('because no resource-based policy allows the kms:Encrypt action');
      const b = await rejection(call(explicit), 'AccessDeniedException');
      expect(b.message).toContain('with an explicit deny in a resource-based policy');
    } finally {
      implicit.destroy();
      explicit.destroy();
    }
  });

  it('a disabled key answers DisabledException to Encrypt, Decrypt and GenerateDataKey until enabled', async () => {
    const key = server.createKey('SYMMETRIC_DEFAULT');
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: utf8('x') }));
    server.disableKey(key.arn);
    const calls = [
      kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: utf8('x') })),
      kms.send(new DecryptCommand({ CiphertextBlob })),
      kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256' })),
    ];
    for (const call of calls) {
      const err = await rejection(call, 'DisabledException');
      expect(err).toBeInstanceOf(DisabledException);
      expect(err.message).toContain(key.arn);
    }
    const described = await kms.send(new DescribeKeyCommand({ KeyId: key.keyId }));
    expect(described.KeyMetadata).toMatchObject({ Enabled: false, KeyState: 'Disabled' });
    server.enableKey(key.keyId);
    const ok = await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(ok.Plaintext ?? []).toString()).toBe('x');
  });

  it('throttles the next N calls of an operation with ThrottlingException, then serves again', async () => {
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: symmetric.keyId, Plaintext: utf8('t') }),
    );
    server.throttle(2, 'Decrypt');
    // Another operation is not throttled.
    await kms.send(new DescribeKeyCommand({ KeyId: symmetric.keyId }));
    for (let i = 0; i < 2; i++) {
      // Not a modelled KMS exception: the SDK raises a KMSServiceException named ThrottlingException.
      await rejection(kms.send(new DecryptCommand({ CiphertextBlob })), 'ThrottlingException');
    }
    const ok = await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(ok.Plaintext ?? []).toString()).toBe('t');
  });

  it('throttles any operation when none is named', async () => {
    server.throttle(1);
    await rejection(kms.send(new DescribeKeyCommand({ KeyId: symmetric.keyId })), 'ThrottlingException');
    await kms.send(new DescribeKeyCommand({ KeyId: symmetric.keyId }));
  });
});
