// Signing and verification of artifacts and tombstones. The signature covers the digest string, and the
// digest covers the canonical payload, so a verified record is exactly what the control plane signed.
import { createPublicKey, verify } from 'node:crypto';
import type { KeyService } from '../../ports/key-service.ts';
import { SluiceError } from '../errors.ts';
import { type ArtifactPayload, digestOf, type Signed, type SignedPayload } from './artifact.ts';

export async function signArtifact<P extends SignedPayload>(
  payload: P,
  keys: KeyService,
): Promise<Signed<P>> {
  const digest = digestOf(payload);
  const signature = await keys.sign(Buffer.from(digest, 'utf8'));
  return { digest, keyId: await keys.keyId(), signature: Buffer.from(signature).toString('base64'), payload };
}

/** Throws ArtifactRejected unless the payload hashes to the digest and the signature verifies. */
export function verifySigned(signed: Signed, publicKeyPem: string, expectedDigest?: string): SignedPayload {
  const reject = (why: string): never => {
    throw new SluiceError('ArtifactRejected', `artifact ${signed.digest} rejected: ${why}`);
  };
  if (expectedDigest && signed.digest !== expectedDigest) reject(`the index names ${expectedDigest}`);
  if (!signed.payload || typeof signed.payload !== 'object' || typeof signed.signature !== 'string')
    reject('it is not a signed record');
  if (digestOf(signed.payload) !== signed.digest)
    reject('its content does not match its digest (tampered or corrupted)');
  let ok = false;
  try {
    ok = verify(
      'sha256',
      Buffer.from(signed.digest, 'utf8'),
      createPublicKey(publicKeyPem),
      Buffer.from(signed.signature, 'base64'),
    );
  } catch {
    ok = false;
  }
  if (!ok) reject('the signature does not verify with the configured public key');
  return signed.payload;
}

/** verifySigned, and the record must be an artifact (not a tombstone). */
export function verifyArtifact(
  artifact: Signed,
  publicKeyPem: string,
  expectedDigest?: string,
): ArtifactPayload {
  const payload = verifySigned(artifact, publicKeyPem, expectedDigest);
  if (payload.kind !== 'Artifact')
    throw new SluiceError('ArtifactRejected', `artifact ${artifact.digest} rejected: it is not an artifact`);
  return payload;
}
