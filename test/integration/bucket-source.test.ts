// Bucket fetches against the embedded S3-compatible server as a bucket host: Flux's revision (the digest of
// the key/etag index), prefix and ignore rules, a read-only file set under each key, an unchanged listing
// that downloads nothing, and failures by code.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3BucketSource } from '../../shared/adapters/bucket/s3-bucket-source.ts';
import { systemResolver } from '../../shared/adapters/net/system-resolver.ts';
import type { BucketFetchRequest } from '../../shared/ports/bucket-source.ts';
import { type BucketHost, startBucketHost } from '../support/bucket-host.ts';
import { rejectionOf } from '../support/error-of.ts';

let host: BucketHost;
let root: string;
let source: S3BucketSource;

beforeAll(async () => {
  host = await startBucketHost();
  root = await mkdtemp(join(tmpdir(), 'sluice-bucket-'));
  source = new S3BucketSource({
    snapshotsDir: root,
    policy: { publicOnly: false, allowed: [host.origin], allowSetting: 'allowedSourceHosts' },
    resolver: systemResolver,
  });
  await host.put('apps/kustomization.yaml', 'resources:\n- cm.yaml\n');
  await host.put('apps/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
  await host.put('apps/README.md', '# notes\n');
  await host.put('other/x.yaml', 'x: 1\n');
}, 30_000);

afterAll(async () => {
  await host?.close();
  if (root) await rm(root, { recursive: true, force: true }).catch(() => undefined);
});

const fetchBucket = (more: Partial<BucketFetchRequest> = {}) =>
  source.fetch({
    fields: {
      provider: 'generic',
      bucketName: host.bucket,
      endpoint: host.endpoint,
      insecure: true,
      prefix: 'apps/',
      timeoutMs: 10_000,
    },
    ignore: '*.md',
    credentials: host.reader,
    ...more,
  });

describe('Bucket fetch', () => {
  it('downloads the objects under the prefix, minus ignored ones, at the revision Flux would name', async () => {
    const got = await fetchBucket();
    if (got.unchanged) throw new Error('expected a snapshot');
    expect(got.objects).toBe(2);
    expect(await readFile(join(got.dir, 'apps/kustomization.yaml'), 'utf8')).toContain('cm.yaml');
    await expect(readFile(join(got.dir, 'apps/README.md'))).rejects.toThrow();
    await expect(readFile(join(got.dir, 'other/x.yaml'))).rejects.toThrow();
    // S3's etag of a single-part object is the MD5 of its bytes; the revision hashes the sorted index.
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const index =
      `apps/cm.yaml ${md5('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n')}\n` +
      `apps/kustomization.yaml ${md5('resources:\n- cm.yaml\n')}\n`;
    expect(got.revision).toBe(`sha256:${createHash('sha256').update(index).digest('hex')}`);
  });

  it('keeps the file set read-only', async () => {
    const got = await fetchBucket();
    if (got.unchanged) throw new Error('expected a snapshot');
    expect((await stat(join(got.dir, 'apps/cm.yaml'))).mode & 0o222).toBe(0);
    expect((await stat(join(got.dir, 'apps'))).mode & 0o222).toBe(0);
  });

  it('an unchanged listing downloads nothing: a principal that may only list still fetches it', async () => {
    const first = await fetchBucket();
    const again = await fetchBucket({ credentials: host.lister, lastRevision: first.revision });
    expect(again).toEqual({ unchanged: true, revision: first.revision });
    // The same principal must download into an empty cache, and is refused: the objects were not read above.
    const empty = new S3BucketSource({
      snapshotsDir: await mkdtemp(join(root, 'empty-')),
      policy: { publicOnly: false, allowed: [host.origin], allowSetting: 'allowedSourceHosts' },
      resolver: systemResolver,
    });
    const refused = await rejectionOf(
      empty.fetch({
        fields: {
          provider: 'generic',
          bucketName: host.bucket,
          endpoint: host.endpoint,
          insecure: true,
          prefix: 'apps/',
          timeoutMs: 10_000,
        },
        ignore: '*.md',
        credentials: host.lister,
      }),
    );
    expect(refused.code).toBe('SourceAuthFailed');
  });

  it('a changed object moves the revision and the file set', async () => {
    const before = await fetchBucket();
    await host.put('apps/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
    const after = await fetchBucket({ lastRevision: before.revision });
    if (after.unchanged || before.unchanged) throw new Error('expected snapshots');
    expect(after.revision).not.toBe(before.revision);
    expect(await readFile(join(after.dir, 'apps/cm.yaml'), 'utf8')).toContain('name: b');
  });

  it("honours the bucket's root .sourceignore, as Flux reads it", async () => {
    await host.put('.sourceignore', 'apps/cm.yaml\n');
    try {
      const got = await fetchBucket();
      if (got.unchanged) throw new Error('expected a snapshot');
      expect(got.objects).toBe(1);
    } finally {
      await host.remove('.sourceignore');
    }
  });

  it('refuses wrong keys as an auth failure naming spec.secretRef', async () => {
    const wrongKey = await rejectionOf(
      fetchBucket({
        credentials: { accessKeyId: host.reader.accessKeyId, secretAccessKey: 'wrong-secret-value' },
      }),
    );
    expect(wrongKey.code).toBe('SourceAuthFailed');
    expect(wrongKey.field).toBe('spec.secretRef');
  });

  it("provider aws takes the control plane's own credential chain (here its environment), no Secret", async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', host.reader.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', host.reader.secretAccessKey);
    try {
      const got = await source.fetch({
        fields: {
          provider: 'aws',
          bucketName: host.bucket,
          endpoint: host.endpoint,
          insecure: true,
          prefix: 'apps/',
          timeoutMs: 10_000,
        },
        ignore: '*.md',
      });
      expect(got.revision).toMatch(/^sha256:[a-f0-9]{64}$/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
