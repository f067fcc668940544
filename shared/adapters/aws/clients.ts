// AWS SDK clients for a given endpoint: the real AWS endpoints in the cloud, the embedded server locally.
// Built once by the composition root and injected; nothing creates clients at module scope.
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsClientOptions {
  region: string;
  /** Override for local servers (embedded mode, tests). */
  endpoint?: string;
  /** Static credentials for local servers; the cloud uses the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createAwsClients(opts: AwsClientOptions): { sqs: SQSClient; s3: S3Client; kms: KMSClient } {
  const common = {
    region: opts.region,
    ...(opts.endpoint && { endpoint: opts.endpoint }),
    ...(opts.credentials && { credentials: opts.credentials }),
  };
  return {
    sqs: new SQSClient(common),
    s3: new S3Client({ ...common, forcePathStyle: opts.endpoint !== undefined }),
    kms: new KMSClient(common),
  };
}
