// Contract of the ObjectStore port, run against every implementation (today S3ObjectStore on the embedded
// SQS/S3 server): bytes in are bytes out, a missing key is undefined, listing is by prefix in lexical order
// across pages, deletes are idempotent, and an unreachable backend is a retryable StoreUnavailable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { getJson, type ObjectStore, putJson } from '../../shared/ports/object-store.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

let env: StoreAndQueues;
beforeAll(async () => {
  env = await startStoreAndQueues('contract');
});
afterAll(() => env?.close());

interface Implementation {
  open(): ObjectStore;
  /** The same store with its backend out of reach. */
  unreachable(): ObjectStore;
}

const implementations: [string, Implementation][] = [
  [
    'S3ObjectStore (embedded S3 server)',
    {
      open: () => env.deps.store,
      unreachable: () =>
        new S3ObjectStore(
          createAwsClients({
            region: 'us-east-1',
            endpoint: 'http://127.0.0.1:9',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }).s3,
          'contract',
        ),
    },
  ],
];

let areas = 0;

describe.each(implementations)('ObjectStore contract: %s', (_name, impl) => {
  // Each test writes under a prefix of its own, so none sees another's keys.
  const area = () => `area-${++areas}/`;

  it('gives back the bytes it was given, as a Buffer', async () => {
    const store = impl.open();
    const at = area();
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    await store.put(`${at}binary`, bytes);
    await store.put(`${at}text`, 'héllo\n', 'text/plain');
    await store.put(`${at}empty`, '');
    expect(Buffer.isBuffer(await store.get(`${at}binary`))).toBe(true);
    expect(await store.get(`${at}binary`)).toEqual(Buffer.from(bytes));
    expect((await store.get(`${at}text`))?.toString('utf8')).toBe('héllo\n');
    expect(await store.get(`${at}empty`)).toEqual(Buffer.alloc(0));
  });

  it('replaces a key on a second put', async () => {
    const store = impl.open();
    const key = `${area()}record.json`;
    await putJson(store, key, { generation: 1 });
    await putJson(store, key, { generation: 2 });
    expect(await getJson(store, key)).toEqual({ generation: 2 });
  });

  it('answers undefined for a key that does not exist, also next to one that does', async () => {
    const store = impl.open();
    const at = area();
    expect(await store.get(`${at}missing`)).toBeUndefined();
    expect(await getJson(store, `${at}missing.json`)).toBeUndefined();
    await store.put(`${at}present`, 'x');
    expect(await store.get(`${at}presen`)).toBeUndefined();
    expect(await store.get(`${at}present/child`)).toBeUndefined();
  });

  it('lists every key under a prefix, at any depth, in lexical order whatever the order of writes', async () => {
    const store = impl.open();
    const at = area();
    for (const key of ['b', 'a/z', 'a/b/c', 'a-b', 'ab', 'a/a', 'A']) await store.put(`${at}${key}`, key);
    expect(await store.list(at)).toEqual(
      ['A', 'a-b', 'a/a', 'a/b/c', 'a/z', 'ab', 'b'].map((k) => `${at}${k}`),
    );
    // A prefix is a string prefix, not a directory: `a/` leaves out `a-b` and `ab`.
    expect(await store.list(`${at}a/`)).toEqual([`${at}a/a`, `${at}a/b/c`, `${at}a/z`]);
    expect(await store.list(`${at}nothing/`)).toEqual([]);
  });

  it('lists past one page of results (more than 1000 keys)', async () => {
    const store = impl.open();
    const at = area();
    const keys = Array.from({ length: 1005 }, (_, i) => `${at}k${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, '')));
    }
    expect(await store.list(at)).toEqual(keys);
  });

  it('deletes a key for good, and deleting a missing key is no error', async () => {
    const store = impl.open();
    const at = area();
    await store.put(`${at}gone`, 'x');
    await store.put(`${at}kept`, 'y');
    await store.delete(`${at}gone`);
    expect(await store.get(`${at}gone`)).toBeUndefined();
    expect(await store.list(at)).toEqual([`${at}kept`]);
    await store.delete(`${at}gone`);
    await store.delete(`${at}never-written`);
    expect(await store.list(at)).toEqual([`${at}kept`]);
  });

  it('reports an unreachable backend as StoreUnavailable, worth retrying, on every operation', async () => {
    const store = impl.unreachable();
    const operations = [
      () => store.get('x'),
      () => store.put('x', 'y'),
      () => store.list('x/'),
      () => store.delete('x'),
    ];
    for (const operation of operations) {
      expect(await rejectionOf(operation())).toMatchObject({ code: 'StoreUnavailable', retryable: true });
    }
  });
});
