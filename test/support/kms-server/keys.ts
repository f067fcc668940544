// In-memory key store: P-256 signing keys and AES-256 keys with their ARNs and aliases, and resolution
// of a request's KeyId (key id, key ARN, alias name or alias ARN) with real KMS's NotFoundException.

import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { bytesToBigInt } from './ecdsa-p256.ts';
import { KmsError } from './errors.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
const ARN_PREFIX = `arn:aws:kms:${REGION}:${ACCOUNT}:`;

export type KeySpec = 'ECC_NIST_P256' | 'SYMMETRIC_DEFAULT';
export type KeyUsage = 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT';

export interface EccMaterial {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo, as GetPublicKey returns it. */
  spki: Buffer;
  d: bigint;
  qx: bigint;
  qy: bigint;
}

export interface KmsKey {
  id: string;
  arn: string;
  spec: KeySpec;
  usage: KeyUsage;
  created: Date;
  ecc?: EccMaterial;
  aes?: Buffer;
  /** Set by DisableKey (the stand-in's `disableKey`): cryptographic operations answer DisabledException. */
  disabled?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class KeyStore {
  private readonly keys = new Map<string, KmsKey>();
  private readonly aliases = new Map<string, string>();

  create(spec: KeySpec, alias?: string): KmsKey {
    if (spec !== 'ECC_NIST_P256' && spec !== 'SYMMETRIC_DEFAULT')
      throw new Error(`unsupported key spec ${spec}`);
    const id = randomUUID();
    const key: KmsKey =
      spec === 'ECC_NIST_P256'
        ? { id, arn: keyArn(id), spec, usage: 'SIGN_VERIFY', created: new Date(), ecc: eccMaterial() }
        : { id, arn: keyArn(id), spec, usage: 'ENCRYPT_DECRYPT', created: new Date(), aes: randomBytes(32) };
    if (alias !== undefined) {
      const name = alias.startsWith('alias/') ? alias : `alias/${alias}`;
      if (!/^alias\/[a-zA-Z0-9:/_-]+$/.test(name) || name.startsWith('alias/aws/')) {
        throw new Error(`invalid alias name ${name}`);
      }
      if (this.aliases.has(name)) throw new Error(`alias ${name} already exists`);
      this.aliases.set(name, id);
    }
    this.keys.set(id, key);
    return key;
  }

  /** The key a stored ciphertext names, if it still exists. */
  byId(id: string): KmsKey | undefined {
    return this.keys.get(id);
  }

  /** Resolves any of the four KeyId forms KMS accepts. */
  resolve(keyId: string): KmsKey {
    let ref = keyId;
    if (ref.startsWith('arn:')) {
      if (!ref.startsWith(ARN_PREFIX)) throw new KmsError('NotFoundException', `Invalid arn ${ref}`);
      ref = ref.slice(ARN_PREFIX.length);
      if (ref.startsWith('key/')) ref = ref.slice('key/'.length);
      else if (!ref.startsWith('alias/')) throw new KmsError('NotFoundException', `Invalid arn ${keyId}`);
    }
    if (ref.startsWith('alias/')) {
      const id = this.aliases.get(ref);
      const key = id === undefined ? undefined : this.keys.get(id);
      if (!key) throw new KmsError('NotFoundException', `Alias ${ARN_PREFIX}${ref} is not found.`);
      return key;
    }
    if (!UUID.test(ref)) throw new KmsError('NotFoundException', `Invalid keyId '${keyId}'`);
    const key = this.keys.get(ref);
    if (!key) throw new KmsError('NotFoundException', `Key '${keyArn(ref)}' does not exist`);
    return key;
  }
}

export const keyArn = (id: string): string => `${ARN_PREFIX}key/${id}`;

function eccMaterial(): EccMaterial {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKey = createPublicKey(privateKey);
  const jwk = privateKey.export({ format: 'jwk' });
  const scalar = (field: string | undefined): bigint => bytesToBigInt(Buffer.from(field ?? '', 'base64url'));
  return {
    privateKey,
    publicKey,
    spki: publicKey.export({ type: 'spki', format: 'der' }),
    d: scalar(jwk.d),
    qx: scalar(jwk.x),
    qy: scalar(jwk.y),
  };
}
