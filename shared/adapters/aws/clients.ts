// AWS SDK clients for a given endpoint: the real AWS endpoints in the cloud, the embedded server locally.
// Built once by the composition root and injected; nothing creates clients at module scope.
import { KMSClient } from '@aws-sdk/client-kms';
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

export function createAwsClients(opts: AwsClientOptions): { sqs: SQSClient; s3: S3Client; kms: KMSClient } {
  const base = { region: opts.region, ...(opts.credentials && { credentials: opts.credentials }) };
  const at = (service: 'sqs' | 's3' | 'kms') => {
    const endpoint = opts.endpoints?.[service] ?? opts.endpoint;
    return endpoint ? { ...base, endpoint } : base;
  };
  const s3 = at('s3');
  return {
    sqs: new SQSClient(at('sqs')),
    s3: new S3Client({ ...s3, forcePathStyle: 'endpoint' in s3 }),
    kms: new KMSClient(at('kms')),
  };
}
