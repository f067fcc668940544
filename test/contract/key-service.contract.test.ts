// Contract of the KeyService port, run against every implementation: the embedded key file and AWS KMS (the
// test KMS server). A puller verifies with the public key alone, so both must sign the same way: ECDSA
// P-256 over SHA-256 of the raw message, DER signatures, a stable key id and SPKI PEM public key.

import { createPublicKey, verify } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsKeyService } from '../../shared/adapters/aws/kms-key-service.ts';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.ts';
import type { TombstonePayload } from '../../shared/core/artifact/artifact.ts';
import { signArtifact, verifySigned } from '../../shared/core/artifact/sign-artifact.ts';
import type { KeyService } from '../../shared/ports/key-service.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type KmsServer, startKmsServer } from '../support/kms-server.ts';

let dir: string;
let kmsServer: KmsServer;
let kms: KMSClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-keys-'));
  kmsServer = await startKmsServer();
  kms = new KMSClient({
    region: 'us-east-1',
    endpoint: kmsServer.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  kms?.destroy();
  await kmsServer?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Implementation {
  /** A new signing key, and a factory for services over that same key (a restart, another process). */
  newKey(): { open(): KeyService };
  /** A service over a key that cannot sign: it fails with a permanent error, at construction or on use. */
  unusable(): KeyService;
}

let keys = 0;
const implementations: [string, Implementation][] = [
  [
    'LocalKeyService (key file)',
    {
      newKey() {
        const file = join(dir, `key-${++keys}.pem`);
        return { open: () => new LocalKeyService(file) };
      },
      unusable() {
        const file = join(dir, `exposed-${++keys}.pem`);
        new LocalKeyService(file);
        chmodSync(file, 0o644);
        return new LocalKeyService(file);
      },
    },
  ],
  [
    'KmsKeyService (KMS)',
    {
      newKey() {
        const { arn } = kmsServer.createKey('ECC_NIST_P256');
        return { open: () => new KmsKeyService(kms, arn) };
      },
      unusable() {
        return new KmsKeyService(
          kms,
          'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000',
        );
      },
    },
  ],
];

const message = new TextEncoder().encode('sha256:0123456789abcdef');

describe.each(implementations)('KeyService contract: %s', (_name, impl) => {
  it('signs with ECDSA P-256 over SHA-256 of the message, verifiable with its public key alone', async () => {
    const service = impl.newKey().open();
    const signature = await service.sign(message);
    const publicKey = createPublicKey(await service.publicKeyPem());
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(verify('sha256', message, publicKey, signature)).toBe(true);
    expect(verify('sha256', new TextEncoder().encode('sha256:other'), publicKey, signature)).toBe(false);
  });

  it('returns a DER signature (an ASN.1 SEQUENCE), not a raw r‖s pair', async () => {
    const signature = Buffer.from(await impl.newKey().open().sign(message));
    expect(signature[0]).toBe(0x30);
    expect(signature[1]).toBe(signature.length - 2);
  });

  it('publishes an SPKI PEM public key, the same on every call and from every service over the key', async () => {
    const key = impl.newKey();
    const first = key.open();
    const pem = await first.publicKeyPem();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    expect(await first.publicKeyPem()).toBe(pem);
    const again = key.open();
    expect(await again.publicKeyPem()).toBe(pem);
    expect(verify('sha256', message, createPublicKey(pem), await again.sign(message))).toBe(true);
  });

  it('names its key with a stable id that differs from another key', async () => {
    const key = impl.newKey();
    const id = await key.open().keyId();
    expect(id).not.toBe('');
    expect(await key.open().keyId()).toBe(id);
    expect(await impl.newKey().open().keyId()).not.toBe(id);
  });

  it('signs records a puller verifies, and the puller refuses them under another key', async () => {
    const service = impl.newKey().open();
    // Only the signature matters here, not the payload's schema: any record the control plane signs.
    const payload = {
      kind: 'Tombstone',
      cluster: 'dev',
      kustomization: { namespace: 'flux-system', name: 'apps' },
    } as unknown as TombstonePayload;
    const signed = await signArtifact(payload, service);
    expect(signed.keyId).toBe(await service.keyId());
    expect(verifySigned(signed, await service.publicKeyPem())).toEqual(payload);
    const other = await impl.newKey().open().publicKeyPem();
    expect(() => verifySigned(signed, other)).toThrow(expect.objectContaining({ code: 'ArtifactRejected' }));
  });

  it('fails on an unusable key with a permanent ConfigInvalid error, not a signature', async () => {
    const err = await rejectionOf(Promise.resolve().then(() => impl.unusable().sign(message)));
    expect(err).toMatchObject({ code: 'ConfigInvalid', retryable: false });
  });
});
