// A Bucket's S3-compatible host for tests: the embedded fauxqs server with its own principals: an owner that
// writes objects, a reader (list and read), and a lister that may list but read only `.sourceignore`, so a
// fetch that downloads anything else is refused (how a test proves an unchanged listing downloads nothing).
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type FauxqsHandle, startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface BucketHost {
  /** `127.0.0.1:<port>`: a Bucket's spec.endpoint (with spec.insecure: true). */
  endpoint: string;
  /** `http://127.0.0.1:<port>`: what the source address policy must allow. */
  origin: string;
  bucket: string;
  reader: Keys;
  lister: Keys;
  put(key: string, body: string): Promise<void>;
  remove(key: string): Promise<void>;
  close(): Promise<void>;
}

const keys = (): Keys => ({
  accessKeyId: `AK${randomBytes(8).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(20).toString('base64url'),
});

export async function startBucketHost(bucket = 'fleet-bucket'): Promise<BucketHost> {
  const owner = keys();
  const reader = keys();
  const lister = keys();
  const arn = `arn:aws:s3:::${bucket}`;
  const fauxqs: FauxqsHandle = await startFauxqs({
    principals: [
      { name: 'owner', ...owner, policy: 'all' },
      {
        name: 'reader',
        ...reader,
        policy: {
          Statement: [
            { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [arn] },
            { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${arn}/*`] },
          ],
        },
      },
      {
        name: 'lister',
        ...lister,
        policy: {
          Statement: [
            { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [arn] },
            { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${arn}/.sourceignore`] },
          ],
        },
      },
    ],
  });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: fauxqs.endpoint,
    forcePathStyle: true,
    credentials: owner,
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const url = new URL(fauxqs.endpoint);
  return {
    endpoint: url.host,
    origin: url.origin,
    bucket,
    reader,
    lister,
    put: async (key, body) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    remove: async (key) => {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    close: async () => {
      s3.destroy();
      await fauxqs.close();
    },
  };
}

/**
 * The fleet's side of a bucket on this host: the keys Secret `bucket-keys` and a generic Bucket `assets` in
 * flux-system reading it with the read-only keys (plus any `spec` lines given, e.g. prefix and ignore).
 */
export function bucketSourceYaml(host: BucketHost, extraSpec: string[] = []): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: bucket-keys
  namespace: flux-system
stringData:
  accesskey: ${host.reader.accessKeyId}
  secretkey: ${host.reader.secretAccessKey}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata:
  name: assets
  namespace: flux-system
spec:
  interval: 1h
  provider: generic
  bucketName: ${host.bucket}
  endpoint: ${host.endpoint}
  insecure: true
${extraSpec.map((l) => `  ${l}\n`).join('')}  secretRef:
    name: bucket-keys
`;
}
