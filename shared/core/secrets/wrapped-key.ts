// A cluster's data key as the key service wrapped it: what travels with every sealed artifact and record,
// so whoever opens one asks the key service to unwrap exactly this (bound to the cluster's name).

export interface WrappedKey {
  /** The wrapping key (a KMS key ARN; the embedded key's local ARN). */
  keyId: string;
  /** The key service's ciphertext blob, base64. */
  blob: string;
}

export function isWrappedKey(v: unknown): v is WrappedKey {
  const w = v as WrappedKey;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof w.keyId === 'string' &&
    typeof w.blob === 'string' &&
    w.keyId.length > 0 &&
    w.blob.length > 0
  );
}

/** The encryption context a cluster's data key is bound to (KMS `EncryptionContext`, IAM condition key). */
export function clusterContext(cluster: string): Record<string, string> {
  return { cluster };
}
