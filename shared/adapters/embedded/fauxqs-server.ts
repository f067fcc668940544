// The embedded SQS/S3-compatible server (fauxqs) running in-process on loopback, persisting queues,
// messages and objects to a data directory so queued work and artifacts survive a restart.
// fauxqs' startFauxqs() listens on every interface; Sluice wires the same stores to buildApp() instead
// and listens on 127.0.0.1 only.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';

export interface FauxqsHandle {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

interface Stores {
  sqsStore: { persistence?: unknown; allQueues(): { persistence?: unknown }[] };
  snsStore: { persistence?: unknown };
  s3Store: { persistence?: unknown };
}

// The store classes are not in fauxqs' export map; load them from the same files buildApp uses.
async function internal<T>(relative: string): Promise<T> {
  const dist = dirname(fileURLToPath(import.meta.resolve('fauxqs')));
  return (await import(pathToFileURL(join(dist, relative)).href)) as T;
}

export async function startFauxqs(opts: {
  dataDir?: string;
  port?: number;
  host?: string;
}): Promise<FauxqsHandle> {
  const { SqsStore } = await internal<{ SqsStore: new () => Stores['sqsStore'] }>('sqs/sqsStore.js');
  const { SnsStore } = await internal<{ SnsStore: new () => Stores['snsStore'] }>('sns/snsStore.js');
  const { S3Store } = await internal<{ S3Store: new () => Stores['s3Store'] }>('s3/s3Store.js');
  const stores: Stores = { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
  let persistence: { load(a: unknown, b: unknown, c: unknown): void; close(): void } | undefined;
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    const { PersistenceManager } = await internal<{
      PersistenceManager: new (dir: string) => NonNullable<typeof persistence>;
    }>('persistence.js');
    persistence = new PersistenceManager(opts.dataDir);
    // WAL with synchronous=NORMAL: a commit survives a crash or restart of this process (what embedded
    // mode promises); only an OS crash or power loss can roll back the last commits. FULL would fsync every
    // queue operation and object write.
    (persistence as unknown as { db?: { exec(sql: string): void } }).db?.exec('PRAGMA synchronous = NORMAL');
    // Load first, then attach, as fauxqs itself does, so loading does not write back.
    persistence.load(stores.sqsStore, stores.snsStore, stores.s3Store);
    stores.sqsStore.persistence = persistence;
    stores.snsStore.persistence = persistence;
    stores.s3Store.persistence = persistence;
    for (const queue of stores.sqsStore.allQueues()) queue.persistence = persistence;
  }
  const app = buildApp({ logger: false, stores: stores as never });
  if (persistence) {
    const p = persistence;
    app.addHook('preClose', async () => p.close());
  }
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { endpoint: `http://${host}:${port}`, port, close: () => app.close() };
}
