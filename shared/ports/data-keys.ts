// Port: the key service that makes and unwraps each cluster's data key, bound to the cluster's name (KMS
// GenerateDataKey/Decrypt with EncryptionContext {cluster} in the cloud; the embedded wrapping key locally).
import type { WrappedKey } from '../core/secrets/wrapped-key.ts';

/** What a puller has: it can only ask for its own cluster's keys, and the key service enforces that. */
export interface DataKeyUnwrapper {
  /** The plaintext data key (32 bytes); SluiceErrors naming the key and the caller, never key material. */
  unwrap(cluster: string, wrapped: WrappedKey): Promise<Uint8Array>;
}

/** What the control plane has: it makes the keys and may open any cluster's. */
export interface DataKeyService extends DataKeyUnwrapper {
  generate(cluster: string): Promise<{ key: Uint8Array; wrapped: WrappedKey }>;
}
