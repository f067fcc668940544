// Port: list a Bucket (an S3-compatible store or AWS S3) and, when its listing moved, download the
// selected objects into a content-addressed file set, as Flux's source-controller does.
import type { BucketFetchFields } from '../core/pipeline/records.ts';

export interface BucketFetchRequest {
  fields: BucketFetchFields;
  ignore?: string;
  /** generic: the secretRef's `accesskey`/`secretkey`; aws: absent (the control plane's own credentials). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The revision of the stored snapshot: an equal listing downloads nothing. */
  lastRevision?: string;
}

export type BucketFetchResult =
  | { unchanged: true; revision: string }
  | {
      unchanged: false;
      /** Flux's: `sha256:` + digest of the `<key> <etag>` index. */
      revision: string;
      /** Names the file set (revision and ignore rules). */
      digest: string;
      dir: string;
      objects: number;
    };

export interface BucketSource {
  fetch(req: BucketFetchRequest): Promise<BucketFetchResult>;
}
