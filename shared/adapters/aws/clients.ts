// AWS SDK clients for a given endpoint: the real AWS endpoints in the cloud, the embedded server locally.
// Built once by the composition root and injected; nothing creates clients at module scope.
import { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsClientOptions, clientSettings, createStoreClients } from './store-clients.ts';

export type { AwsClientOptions } from './store-clients.ts';

export function createAwsClients(opts: AwsClientOptions): { sqs: SQSClient; s3: S3Client; kms: KMSClient } {
  return { ...createStoreClients(opts), kms: new KMSClient(clientSettings(opts, 'kms')) };
}
