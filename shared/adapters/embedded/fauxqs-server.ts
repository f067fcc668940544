// The embedded SQS/S3-compatible server (fauxqs) running in-process on loopback, persisting queues,
// messages and objects to a data directory so queued work and artifacts survive a restart.
// fauxqs' startFauxqs() listens on every interface and takes any signature; Sluice wires the same stores
// to buildApp() instead, checks every request's SigV4 signature and policy, and listens on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';
import { SluiceError } from '../../core/errors.ts';
import type { EmbeddedKeyService } from './embedded-kms.ts';
import { requireSignedRequests, type StorePrincipal } from './store-auth.ts';

export interface FauxqsHandle {
  endpoint: string;
  port: number;
  /** Keys of the all-powerful principal (generated when none was given). */
  credentials: { accessKeyId: string; secretAccessKey: string };
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
  /**
   * Who may call it (SigV4 access keys) and what each may do; nobody else gets an answer but 403.
   * Default: one principal allowed everything, with random keys (see `credentials`).
   */
  principals?: StorePrincipal[];
  /** Served as KMS Decrypt beside SQS and S3 (embedded mode: the local data keys). */
  kms?: EmbeddedKeyService;
}): Promise<FauxqsHandle> {
  const principals = opts.principals ?? [{ name: 'owner', ...randomKeys(), policy: 'all' as const }];
  const owner = principals.find((p) => p.policy === 'all') ?? principals[0];
  if (!owner)
    throw new SluiceError('ConfigInvalid', 'the embedded SQS/S3 server needs at least one principal');
  // Every request is authenticated, so any address the caller chose is allowed.
  const host = opts.host ?? '127.0.0.1';
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
  requireSignedRequests(app as never, principals, undefined, opts.kms);
  if (persistence) {
    const p = persistence;
    app.addHook('preClose', async () => p.close());
  }
  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    credentials: { accessKeyId: owner.accessKeyId, secretAccessKey: owner.secretAccessKey },
    close: () => app.close(),
  };
}

function randomKeys(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `SLU${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}
