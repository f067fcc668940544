// The control plane's side of sealing: each cluster's current data key (made by the key service on first
// use, stored wrapped, replaced once it is older than its lifetime) and the ciphers that seal and open.
// Two renders racing to make a cluster's first key each seal with their own: both artifacts carry the key
// that opens them, so nothing depends on which record write wins.
import { isSluiceError } from '../../core/errors.ts';
import type { DataKeyRecord } from '../../core/pipeline/records.ts';
import type { SecretCipher } from '../../core/secrets/secret-cipher.ts';
import type { WrappedKey } from '../../core/secrets/wrapped-key.ts';
import type { Clock } from '../../ports/clock.ts';
import type { DataKeyService } from '../../ports/data-keys.ts';
import { DataKeyCache } from './data-key-cache.ts';

/** Where the wrapped keys are kept (StateStore). */
export interface DataKeyRecords {
  getDataKey(cluster: string): Promise<DataKeyRecord | undefined>;
  putDataKey(cluster: string, record: DataKeyRecord): Promise<void>;
}

export interface Sealer {
  cipher: SecretCipher;
  wrapped: WrappedKey;
}

/** A data key seals new content for 30 days; older content stays readable with the key it carries. */
export const DATA_KEY_LIFETIME_MS = 30 * 24 * 3600_000;
/** How long a process trusts the record it read before reading it again. */
const RECHECK_MS = 60_000;

export class ClusterSecrets {
  private readonly keys: DataKeyService;
  private readonly clock: Clock;
  private readonly cache: DataKeyCache;
  private readonly current = new Map<string, { sealer: Promise<Sealer>; at: number }>();

  constructor(keys: DataKeyService, clock: Clock) {
    this.keys = keys;
    this.clock = clock;
    this.cache = new DataKeyCache(keys);
  }

  /** The cipher new content of `cluster` is sealed with, and its wrapped key. */
  sealer(cluster: string, records: DataKeyRecords): Promise<Sealer> {
    const now = this.clock.now();
    const known = this.current.get(cluster);
    if (known && now - known.at < RECHECK_MS) return known.sealer;
    const sealer = this.load(cluster, records, now);
    sealer.catch(() => this.current.delete(cluster));
    this.current.set(cluster, { sealer, at: now });
    return sealer;
  }

  opener(cluster: string, wrapped: WrappedKey): Promise<SecretCipher> {
    return this.cache.cipherFor(cluster, wrapped);
  }

  private async load(cluster: string, records: DataKeyRecords, now: number): Promise<Sealer> {
    const record = await records.getDataKey(cluster);
    if (record && now - Date.parse(record.createdAt) < DATA_KEY_LIFETIME_MS) {
      const cipher = await this.cache.cipherFor(cluster, record.wrapped).catch((err: unknown) => {
        // A stored key that does not open (the wrapping key was replaced, or the record was written by
        // someone else) is never used: a new one is made. Refusals and outages still fail the render.
        if (isSluiceError(err) && err.code === 'DecryptionFailed') return undefined;
        throw err;
      });
      if (cipher) return { cipher, wrapped: record.wrapped };
    }
    const { key, wrapped } = await this.keys.generate(cluster);
    await records.putDataKey(cluster, { wrapped, createdAt: new Date(now).toISOString() });
    return { cipher: this.cache.remember(cluster, wrapped, key), wrapped };
  }
}

const perService = new WeakMap<DataKeyService, ClusterSecrets>();

/** One ClusterSecrets per key service, so its caches live as long as the process's dependencies. */
export function clusterSecretsOf(keys: DataKeyService, clock: Clock): ClusterSecrets {
  let secrets = perService.get(keys);
  if (!secrets) {
    secrets = new ClusterSecrets(keys, clock);
    perService.set(keys, secrets);
  }
  return secrets;
}
