// Port: the artifact signing key. Cloud: KMS (ECC_NIST_P256, ECDSA_SHA_256); embedded: a local key file.
// Only signing happens in the control plane; pullers hold just the public key.

export interface KeyService {
  /** Stable identity of the signing key, recorded in every artifact. */
  keyId(): Promise<string>;
  /** ECDSA P-256 / SHA-256 signature (DER) over the message bytes. */
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** SubjectPublicKeyInfo PEM, what a puller is configured with. */
  publicKeyPem(): Promise<string>;
}
