import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../shared/ports/object-store.ts';
import { isFormerRoot, readRootNames, writeRootNames } from '../../../shared/usecases/fleet-root-names.ts';

/** The ObjectStore port over a Map: enough for records written and read back. */
function mapStore(): ObjectStore {
  const data = new Map<string, Buffer>();
  return {
    async put(key, body) {
      data.set(key, Buffer.from(body));
    },
    async get(key) {
      return data.get(key);
    },
    async list(prefix) {
      return [...data.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    async delete(key) {
      data.delete(key);
    },
  };
}

const k = (name: string) => ({ namespace: 'flux-system', name });

describe('fleet root names', () => {
  it('remembers the names a root had before each rename, and not the current ones', async () => {
    const store = mapStore();
    await writeRootNames(store, 'dev', k('flux-system'), undefined);
    await writeRootNames(store, 'dev', k('fleet'), await readRootNames(store, 'dev'));
    await writeRootNames(store, 'dev', k('renamed'), await readRootNames(store, 'dev'));
    expect(await readRootNames(store, 'dev')).toEqual({
      ...k('renamed'),
      former: [k('flux-system'), k('fleet')],
    });
    expect(await isFormerRoot(store, 'dev', k('fleet'))).toBe(true);
    expect(await isFormerRoot(store, 'dev', k('renamed'))).toBe(false);
    expect(await isFormerRoot(store, 'prod', k('fleet'))).toBe(false);
  });

  it('does not grow when a root is renamed back and forth', async () => {
    const store = mapStore();
    await writeRootNames(store, 'dev', k('a'), undefined);
    for (let i = 0; i < 20; i++)
      await writeRootNames(store, 'dev', k(i % 2 ? 'a' : 'b'), await readRootNames(store, 'dev'));
    expect((await readRootNames(store, 'dev'))?.former).toEqual([k('b')]);
  });
});
