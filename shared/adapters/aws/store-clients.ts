// The S3 and SQS clients, for a given endpoint: the real AWS endpoints in the cloud, the embedded server
// locally. Kept apart from the KMS client so that a process which rarely needs KMS (the puller) does not
// load it at start (lazy-kms.ts).
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsClientOptions {
  region: string;
  /** Override for local servers (embedded mode, tests). */
  endpoint?: string;
  /** Per-service overrides, when SQS/S3 and KMS are served by different local servers. */
  endpoints?: { sqs?: string; s3?: string; kms?: string };
  /** Static credentials for local servers; the cloud uses the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** One service's client settings: the region, the credentials given, and its endpoint override if any. */
export function clientSettings(opts: AwsClientOptions, service: 'sqs' | 's3' | 'kms') {
  const base = { region: opts.region, ...(opts.credentials && { credentials: opts.credentials }) };
  const endpoint = opts.endpoints?.[service] ?? opts.endpoint;
  return endpoint ? { ...base, endpoint } : base;
}

export function createStoreClients(opts: AwsClientOptions): { sqs: SQSClient; s3: S3Client } {
  const s3 = clientSettings(opts, 's3');
  return {
    sqs: new SQSClient(clientSettings(opts, 'sqs')),
    s3: new S3Client({ ...s3, forcePathStyle: 'endpoint' in s3 }),
  };
}
