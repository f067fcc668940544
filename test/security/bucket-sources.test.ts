// Bucket sources against a real S3-compatible host: object keys are hostile paths (a key that climbs, is
// absolute or smuggles a separator fails the fetch and nothing lands outside the snapshot folder), keys
// from spec.secretRef never reach an error, and the endpoint is under the source address policy like any URL.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BucketSource } from '../../shared/adapters/bucket/s3-bucket-source.ts';
import { systemResolver } from '../../shared/adapters/net/system-resolver.ts';
import type { SourceAddressPolicy } from '../../shared/core/net/source-address-policy.ts';
import type { BucketFetchRequest } from '../../shared/ports/bucket-source.ts';
import type { HostResolver } from '../../shared/ports/host-resolver.ts';
import { type BucketHost, startBucketHost } from '../support/bucket-host.ts';
import { rejectionOf } from '../support/error-of.ts';

let host: BucketHost;
let root: string;

beforeAll(async () => {
  host = await startBucketHost('hostile');
  root = await mkdtemp(join(tmpdir(), 'sluice-bucket-sec-'));
}, 30_000);

afterAll(async () => {
  await host?.close();
  if (root) await rm(root, { recursive: true, force: true }).catch(() => undefined);
});

const allowHost = (): SourceAddressPolicy => ({
  publicOnly: false,
  allowed: [host.origin],
  allowSetting: 'allowedSourceHosts',
});

async function fetchWith(
  policy: SourceAddressPolicy,
  more: Partial<BucketFetchRequest['fields']> = {},
  resolver: HostResolver = systemResolver,
  credentials = host.reader,
) {
  const snapshotsDir = await mkdtemp(join(root, 'snapshots-'));
  const source = new S3BucketSource({ snapshotsDir, policy, resolver });
  const result = source.fetch({
    fields: {
      provider: 'generic',
      bucketName: host.bucket,
      endpoint: host.endpoint,
      insecure: true,
      timeoutMs: 10_000,
      ...more,
    },
    credentials,
  });
  return { result, snapshotsDir };
}

describe('Bucket object keys are hostile paths', () => {
  it.each(['../escape.yaml', 'apps/../../escape.yaml', '/abs.yaml', 'a//b.yaml', 'a\\b.yaml'])(
    'a key %j fails the fetch and writes nothing',
    async (key) => {
      const prefix = `case-${Buffer.from(key).toString('hex')}/`;
      await host.put(`${prefix}ok.yaml`, 'x: 1\n');
      // Under the prefix so each case lists only its own keys; the hostile part follows it.
      await host.put(`${prefix}${key}`, 'x: 2\n');
      const { result, snapshotsDir } = await fetchWith(allowHost(), { prefix });
      expect((await rejectionOf(result)).code).toBe('ArchiveRejected');
      expect(await readdir(snapshotsDir)).toEqual([]);
      expect(await readdir(root)).not.toContain('escape.yaml');
    },
  );
  it('a key that is both a file and a folder fails the fetch and leaves no partial folder', async () => {
    await host.put('clash/app', 'x: 1\n');
    await host.put('clash/app/inner.yaml', 'x: 2\n');
    const { result, snapshotsDir } = await fetchWith(allowHost(), { prefix: 'clash/' });
    expect((await rejectionOf(result)).code).toBe('ArchiveRejected');
    expect(await readdir(snapshotsDir)).toEqual([]);
  });
});

describe('Bucket credentials', () => {
  it('never appear in an error, even when the host refuses them', async () => {
    const secret = 'Sup3r-S3cret-Bucket-Key';
    const { result } = await fetchWith(allowHost(), {}, systemResolver, {
      accessKeyId: host.reader.accessKeyId,
      secretAccessKey: secret,
    });
    const err = await rejectionOf(result);
    expect(err.code).toBe('SourceAuthFailed');
    const shown = JSON.stringify({ ...err, message: err.message });
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(host.reader.secretAccessKey);
  });
});

describe('the Bucket endpoint is under the source address policy', () => {
  it('refuses a loopback endpoint that is not allow-listed, before any request', async () => {
    const { result } = await fetchWith({
      publicOnly: false,
      allowed: [],
      allowSetting: 'allowedSourceHosts',
    });
    expect((await rejectionOf(result)).code).toBe('SourceAddressRefused');
  });

  it('refuses a name that resolves to a metadata address, whatever the allow-list says', async () => {
    const resolver: HostResolver = { resolve: async () => ['169.254.169.254'] };
    const { result } = await fetchWith(
      {
        publicOnly: false,
        allowed: ['169.254.0.0/16', 'buckets.example.test'],
        allowSetting: 'allowedSourceHosts',
      },
      { endpoint: 'buckets.example.test' },
      resolver,
    );
    expect((await rejectionOf(result)).code).toBe('SourceAddressRefused');
  });

  it('refuses a private endpoint in the cloud (public addresses only)', async () => {
    const resolver: HostResolver = { resolve: async () => ['10.0.0.7'] };
    const { result } = await fetchWith(
      { publicOnly: true, allowed: [], allowSetting: 'allowedSourceHosts' },
      { endpoint: 'minio.internal.test:9000' },
      resolver,
    );
    expect((await rejectionOf(result)).code).toBe('SourceAddressRefused');
  });
});
