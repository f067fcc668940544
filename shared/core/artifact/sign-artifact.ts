// Signing and verification of artifacts. The signature covers the digest string, and the digest covers
// the canonical payload, so a verified artifact is exactly what the control plane rendered.
import { createPublicKey, verify } from 'node:crypto';
import type { KeyService } from '../../ports/key-service.ts';
import { SluiceError } from '../errors.ts';
import { type ArtifactPayload, digestOf, type SignedArtifact } from './artifact.ts';

export async function signArtifact(payload: ArtifactPayload, keys: KeyService): Promise<SignedArtifact> {
  const digest = digestOf(payload);
  const signature = await keys.sign(Buffer.from(digest, 'utf8'));
  return { digest, keyId: await keys.keyId(), signature: Buffer.from(signature).toString('base64'), payload };
}

/** Throws ArtifactRejected unless the payload hashes to the digest and the signature verifies. */
export function verifyArtifact(
  artifact: SignedArtifact,
  publicKeyPem: string,
  expectedDigest?: string,
): ArtifactPayload {
  const reject = (why: string): never => {
    throw new SluiceError('ArtifactRejected', `artifact ${artifact.digest} rejected: ${why}`);
  };
  if (expectedDigest && artifact.digest !== expectedDigest) reject(`the index names ${expectedDigest}`);
  if (digestOf(artifact.payload) !== artifact.digest)
    reject('its content does not match its digest (tampered or corrupted)');
  const ok = verify(
    'sha256',
    Buffer.from(artifact.digest, 'utf8'),
    createPublicKey(publicKeyPem),
    Buffer.from(artifact.signature, 'base64'),
  );
  if (!ok) reject('the signature does not verify with the configured public key');
  return artifact.payload;
}
