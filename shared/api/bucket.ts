// source.toolkit.fluxcd.io/v1 Bucket: the fields Sluice honours, as Flux defines them (api/v1 bucket_types.go).
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

export const BUCKET_API = 'source.toolkit.fluxcd.io/v1';

/** `aws` uses the control plane's own AWS credentials; gcp and azure are refused by the decoder. */
export type BucketProvider = 'generic' | 'aws';

export interface Bucket {
  kind: 'Bucket';
  apiVersion: typeof BUCKET_API;
  metadata: ObjectMeta;
  spec: {
    provider: BucketProvider;
    bucketName: string;
    /** `host[:port]`, no scheme: https unless spec.insecure. */
    endpoint: string;
    insecure: boolean;
    region?: string;
    prefix?: string;
    /** Secret with `accesskey` and `secretkey` (generic only). */
    secretRef?: { name: string };
    ignore?: string;
    intervalMs: number;
    timeoutMs: number;
    suspend: boolean;
  };
  source: SourceLocation;
}
