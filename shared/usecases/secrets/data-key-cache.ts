// Opened data keys, remembered by their wrapped form: one key-service call per data key per process, not
// one per artifact or record. Bounded, so a store full of distinct keys cannot grow the process.
import { SecretCipher } from '../../core/secrets/secret-cipher.ts';
import type { WrappedKey } from '../../core/secrets/wrapped-key.ts';
import type { DataKeyUnwrapper } from '../../ports/data-keys.ts';

const MAX_KEYS = 64;

export class DataKeyCache {
  private readonly unwrapper: DataKeyUnwrapper;
  private readonly ciphers = new Map<string, Promise<SecretCipher>>();

  constructor(unwrapper: DataKeyUnwrapper) {
    this.unwrapper = unwrapper;
  }

  /** The cipher for a wrapped key of `cluster`; the key service decides whether this caller may open it. */
  cipherFor(cluster: string, wrapped: WrappedKey): Promise<SecretCipher> {
    const id = `${cluster}\0${wrapped.keyId}\0${wrapped.blob}`;
    let cipher = this.ciphers.get(id);
    if (!cipher) {
      cipher = this.unwrapper.unwrap(cluster, wrapped).then((key) => new SecretCipher(key));
      // A failure is not remembered: the next artifact asks again (the grant may have been fixed).
      cipher.catch(() => this.ciphers.delete(id));
      if (this.ciphers.size >= MAX_KEYS) this.ciphers.delete(this.ciphers.keys().next().value as string);
      this.ciphers.set(id, cipher);
    }
    return cipher;
  }

  /** A key made here is known without asking the key service. */
  remember(cluster: string, wrapped: WrappedKey, key: Uint8Array): SecretCipher {
    const cipher = new SecretCipher(key);
    this.ciphers.set(`${cluster}\0${wrapped.keyId}\0${wrapped.blob}`, Promise.resolve(cipher));
    return cipher;
  }
}

const perUnwrapper = new WeakMap<DataKeyUnwrapper, DataKeyCache>();

/** One cache per key service, living as long as the process's dependencies. */
export function dataKeyCacheOf(unwrapper: DataKeyUnwrapper): DataKeyCache {
  let cache = perUnwrapper.get(unwrapper);
  if (!cache) {
    cache = new DataKeyCache(unwrapper);
    perUnwrapper.set(unwrapper, cache);
  }
  return cache;
}
