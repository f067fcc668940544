import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDataKeys } from '../../../../shared/adapters/local/local-data-keys.ts';
import type { WrappedKey } from '../../../../shared/core/secrets/wrapped-key.ts';
import type { DataKeyService } from '../../../../shared/ports/data-keys.ts';
import { ClusterSecrets, DATA_KEY_LIFETIME_MS } from '../../../../shared/usecases/secrets/cluster-secrets.ts';
import { stateOf } from '../../../../shared/usecases/state-store.ts';
import { rejectionOf } from '../../../support/error-of.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../../../support/store-and-queues.ts';

/** The embedded key service, counting what the control plane asks of it. */
class CountingKeys implements DataKeyService {
  generated = 0;
  unwrapped = 0;
  private readonly inner: LocalDataKeys;
  constructor(inner: LocalDataKeys) {
    this.inner = inner;
  }
  generate(cluster: string) {
    this.generated++;
    return this.inner.generate(cluster);
  }
  unwrap(cluster: string, wrapped: WrappedKey) {
    this.unwrapped++;
    return this.inner.unwrap(cluster, wrapped);
  }
}

describe('a cluster data key', () => {
  let dir: string;
  let env: StoreAndQueues;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-secrets-'));
    env = await startStoreAndQueues('cluster-secrets', ['dev', 'prod']);
  });
  afterAll(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is made once per cluster, stored wrapped, and used for every seal until it is old', async () => {
    const keys = new CountingKeys(new LocalDataKeys(join(dir, 'k1')));
    const clock = { t: Date.parse('2026-11-30T12:00:00Z'), now: () => clock.t };
    const state = stateOf({ store: env.deps.store });
    const secrets = new ClusterSecrets(keys, clock);
    const first = await secrets.sealer('dev', state);
    expect(keys.generated).toBe(1);
    expect((await state.getDataKey('dev'))?.wrapped).toEqual(first.wrapped);
    clock.t += 120_000;
    expect((await secrets.sealer('dev', state)).wrapped).toEqual(first.wrapped);
    // Another process (a cold Lambda) reads the stored key and unwraps it instead of making one.
    const other = new CountingKeys(new LocalDataKeys(join(dir, 'k1')));
    expect((await new ClusterSecrets(other, clock).sealer('dev', state)).wrapped).toEqual(first.wrapped);
    expect([other.generated, other.unwrapped]).toEqual([0, 1]);
    // Each cluster has its own.
    expect((await secrets.sealer('prod', state)).wrapped).not.toEqual(first.wrapped);
    clock.t += DATA_KEY_LIFETIME_MS;
    expect((await secrets.sealer('dev', state)).wrapped).not.toEqual(first.wrapped);
  });

  it('seals stored Secret records; a plaintext record written into the store is refused, not read', async () => {
    const keys = new LocalDataKeys(join(dir, 'k2'));
    const state = stateOf({ store: env.deps.store, dataKeys: keys });
    const parent = { namespace: 'flux-system', name: 'apps' };
    const ref = await state.putConfig('dev', {
      kind: 'Secret',
      namespace: 'app',
      name: 'vars',
      data: { TOKEN: 'plaintext-token-7' },
      parent,
    });
    expect((await env.deps.store.get(ref))?.toString()).not.toContain('plaintext-token-7');
    expect((await state.getConfig('dev', 'Secret', { namespace: 'app', name: 'vars' }))?.data).toEqual({
      TOKEN: 'plaintext-token-7',
    });
    // Someone who may write the store but not seal.
    await env.deps.store.put(
      ref,
      JSON.stringify({
        schemaVersion: 1,
        kind: 'Secret',
        namespace: 'app',
        name: 'vars',
        data: { TOKEN: 'planted' },
        parent,
      }),
    );
    expect(
      (await rejectionOf(state.getConfig('dev', 'Secret', { namespace: 'app', name: 'vars' }))).code,
    ).toBe('DecryptionFailed');
    // Without a key service, Secret records can be neither read nor written.
    const blind = stateOf({ store: env.deps.store });
    expect(
      (
        await rejectionOf(
          blind.putConfig('dev', { kind: 'Secret', namespace: 'a', name: 'b', data: {}, parent }),
        )
      ).code,
    ).toBe('ConfigInvalid');
  });

  it('replaces a stored key that does not open (the wrapping key was replaced) instead of failing every render', async () => {
    const state = stateOf({ store: env.deps.store });
    const before = await state.getDataKey('dev');
    const keys = new CountingKeys(new LocalDataKeys(join(dir, 'k4')));
    const { wrapped } = await new ClusterSecrets(keys, {
      now: () => Date.parse('2026-11-30T12:00:00Z'),
    }).sealer('dev', state);
    expect(keys.generated).toBe(1);
    expect(wrapped).not.toEqual(before?.wrapped);
  });

  it('opens only with the cluster it was wrapped for', async () => {
    const keys = new LocalDataKeys(join(dir, 'k3'));
    const { wrapped } = await keys.generate('dev');
    expect((await keys.unwrap('dev', wrapped)).length).toBe(32);
    expect((await rejectionOf(keys.unwrap('prod', wrapped))).code).toBe('DecryptionFailed');
  });
});
