// ObjectStore over Amazon S3 (AWS SDK v3): the artifact bucket in the cloud and, against the in-process
// S3-compatible server, in embedded mode. Correctness never relies on versioning or conditional writes.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SluiceError } from '../../core/errors.ts';
import type { ObjectStore } from '../../ports/object-store.ts';

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.client = client;
    this.bucket = bucket;
  }

  async put(key: string, body: string | Uint8Array, contentType = 'application/octet-stream'): Promise<void> {
    await this.call('write', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          // Known length: lets the SDK send it in one request instead of treating it as a stream.
          ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
        }),
      ),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from((await result.Body?.transformToByteArray()) ?? []);
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw this.unavailable('read', key, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('list', prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(token && { ContinuationToken: token }),
          }),
        ),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.call('delete', key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  private async call<T>(verb: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.unavailable(verb, key, err);
    }
  }

  private unavailable(verb: string, key: string, err: unknown): SluiceError {
    return new SluiceError(
      'StoreUnavailable',
      `could not ${verb} s3://${this.bucket}/${key}: ${(err as Error).message}`,
      {
        retryable: true,
        cause: err,
      },
    );
  }
}
