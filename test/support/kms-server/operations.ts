// The TrentService operations the stand-in serves (Sign, Verify, GetPublicKey, Encrypt, Decrypt,
// GenerateDataKey[WithoutPlaintext], DescribeKey): request members in, response members out.

import { randomBytes, sign, verify } from 'node:crypto';
import { signDigest, verifyDigest } from './ecdsa-p256.ts';
import { invalidCiphertext, keyIdOf, open, seal } from './envelope.ts';
import { KmsError, validation } from './errors.ts';
import {
  type Body,
  encryptionContext,
  optionalEnum,
  optionalInteger,
  optionalString,
  requiredBlob,
  requiredString,
} from './fields.ts';
import { ACCOUNT, type KeyStore, type KmsKey } from './keys.ts';

export type Operation = (store: KeyStore, body: Body) => Record<string, unknown>;

const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'SM2DSA',
  'ML_DSA_SHAKE_256',
  'ED25519_SHA_512',
  'ED25519_PH_SHA_512',
] as const;
const MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;
const ENCRYPTION_ALGORITHMS = [
  'SYMMETRIC_DEFAULT',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'SM2PKE',
] as const;
const b64 = (bytes: Buffer): string => bytes.toString('base64');

function requireUsage(key: KmsKey, usage: KmsKey['usage'], operation: string): void {
  if (key.usage !== usage) {
    throw new KmsError(
      'InvalidKeyUsageException',
      `${key.arn} key usage is ${key.usage} which is not valid for ${operation}.`,
    );
  }
}

/** Shared by Sign and Verify: key, algorithm and message checks in real KMS's order; returns the digest. */
function signingInput(store: KeyStore, body: Body, operation: string) {
  const key = store.resolve(requiredString(body, 'KeyId'));
  const message = requiredBlob(body, 'Message', 4096);
  const messageType = optionalEnum(body, 'MessageType', MESSAGE_TYPES) ?? 'RAW';
  const algorithm = optionalEnum(body, 'SigningAlgorithm', SIGNING_ALGORITHMS);
  if (algorithm === undefined) throw validation(`SigningAlgorithm is required for ${operation}.`);
  requireUsage(key, 'SIGN_VERIFY', operation);
  if (algorithm !== 'ECDSA_SHA_256') {
    throw new KmsError(
      'InvalidKeyUsageException',
      `Algorithm ${algorithm} is incompatible with key spec ${key.spec}.`,
    );
  }
  if (messageType === 'EXTERNAL_MU') {
    throw validation(`Message type ${messageType} is incompatible with algorithm ${algorithm}.`);
  }
  if (messageType === 'DIGEST' && message.length !== 32) {
    throw validation(`Digest is invalid length for algorithm ${algorithm}.`);
  }
  const ecc = key.ecc;
  if (!ecc) throw new Error(`signing key ${key.id} has no key pair`);
  return { key, ecc, message, messageType, algorithm };
}

const Sign: Operation = (store, body) => {
  const { key, ecc, message, messageType, algorithm } = signingInput(store, body, 'Sign');
  const signature =
    messageType === 'RAW' ? sign('sha256', message, ecc.privateKey) : signDigest(ecc.d, message);
  return { KeyId: key.arn, Signature: b64(signature), SigningAlgorithm: algorithm };
};

const Verify: Operation = (store, body) => {
  const { key, ecc, message, messageType, algorithm } = signingInput(store, body, 'Verify');
  const signature = requiredBlob(body, 'Signature', 6144);
  let valid: boolean;
  try {
    valid =
      messageType === 'RAW'
        ? verify('sha256', message, ecc.publicKey, signature)
        : verifyDigest(ecc.qx, ecc.qy, message, signature);
  } catch {
    valid = false;
  }
  // Real KMS never answers SignatureValid: false; a bad signature is this exception.
  if (!valid) {
    throw new KmsError(
      'KMSInvalidSignatureException',
      'The signature could not be verified with the specified KMS key, message and signing algorithm.',
    );
  }
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
};

const GetPublicKey: Operation = (store, body) => {
  const key = store.resolve(requiredString(body, 'KeyId'));
  if (!key.ecc) {
    throw new KmsError(
      'UnsupportedOperationException',
      `${key.arn} key type is ${key.spec}, which has no public key.`,
    );
  }
  return {
    KeyId: key.arn,
    PublicKey: b64(key.ecc.spki),
    KeySpec: key.spec,
    CustomerMasterKeySpec: key.spec,
    KeyUsage: key.usage,
    SigningAlgorithms: ['ECDSA_SHA_256'],
  };
};

/** Checks for the symmetric-encryption operations; returns the AES key. */
function symmetricKey(key: KmsKey, operation: string, body: Body): Buffer {
  requireUsage(key, 'ENCRYPT_DECRYPT', operation);
  const algorithm = optionalEnum(body, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  if (algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError(
      'InvalidKeyUsageException',
      `Algorithm ${algorithm} is incompatible with key spec ${key.spec}.`,
    );
  }
  if (!key.aes) throw new Error(`symmetric key ${key.id} has no key material`);
  return key.aes;
}

const Encrypt: Operation = (store, body) => {
  const key = store.resolve(requiredString(body, 'KeyId'));
  const plaintext = requiredBlob(body, 'Plaintext', 4096);
  const aes = symmetricKey(key, 'Encrypt', body);
  return {
    KeyId: key.arn,
    CiphertextBlob: b64(seal(key.id, aes, plaintext, encryptionContext(body))),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
};

const Decrypt: Operation = (store, body) => {
  const blob = requiredBlob(body, 'CiphertextBlob', 6144);
  const requested = optionalString(body, 'KeyId');
  const requestedKey = requested === undefined ? undefined : store.resolve(requested);
  const key = store.byId(keyIdOf(blob));
  if (!key) throw invalidCiphertext();
  if (requestedKey && requestedKey.id !== key.id) {
    throw new KmsError(
      'IncorrectKeyException',
      'The key ID in the request does not identify a KMS key that can perform this operation.',
    );
  }
  const aes = symmetricKey(key, 'Decrypt', body);
  const plaintext = open(blob, aes, encryptionContext(body));
  return { KeyId: key.arn, Plaintext: b64(plaintext), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
};

function dataKey(store: KeyStore, body: Body, operation: string) {
  const key = store.resolve(requiredString(body, 'KeyId'));
  const keySpec = optionalEnum(body, 'KeySpec', ['AES_256', 'AES_128'] as const);
  const numberOfBytes = optionalInteger(body, 'NumberOfBytes', 1, 1024);
  const aes = symmetricKey(key, operation, body);
  if ((keySpec === undefined) === (numberOfBytes === undefined)) {
    throw validation('Please specify either number of bytes or key spec.');
  }
  const plaintext = randomBytes(numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32));
  return { key, plaintext, ciphertext: seal(key.id, aes, plaintext, encryptionContext(body)) };
}

const GenerateDataKey: Operation = (store, body) => {
  const { key, plaintext, ciphertext } = dataKey(store, body, 'GenerateDataKey');
  return { KeyId: key.arn, Plaintext: b64(plaintext), CiphertextBlob: b64(ciphertext) };
};

const GenerateDataKeyWithoutPlaintext: Operation = (store, body) => {
  const { key, ciphertext } = dataKey(store, body, 'GenerateDataKeyWithoutPlaintext');
  return { KeyId: key.arn, CiphertextBlob: b64(ciphertext) };
};

const DescribeKey: Operation = (store, body) => {
  const key = store.resolve(requiredString(body, 'KeyId'));
  return {
    KeyMetadata: {
      AWSAccountId: ACCOUNT,
      KeyId: key.id,
      Arn: key.arn,
      CreationDate: key.created.getTime() / 1000,
      Enabled: !key.disabled,
      Description: '',
      KeyUsage: key.usage,
      KeyState: key.disabled ? 'Disabled' : 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: key.spec,
      KeySpec: key.spec,
      ...(key.ecc
        ? { SigningAlgorithms: ['ECDSA_SHA_256'] }
        : { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }),
      MultiRegion: false,
    },
  };
};

export const operations: Record<string, Operation> = {
  Sign,
  Verify,
  GetPublicKey,
  Encrypt,
  Decrypt,
  GenerateDataKey,
  GenerateDataKeyWithoutPlaintext,
  DescribeKey,
};
