// Pre-signed S3 URLs for one object and one method, valid for minutes: how the render function lends the
// tool sandbox exactly one read and one write without giving it a role that can do anything.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export function s3Presigner(s3: S3Client, bucket: string, expiresIn = 300) {
  return (key: string, method: 'GET' | 'PUT'): Promise<string> =>
    getSignedUrl(
      s3,
      method === 'GET'
        ? new GetObjectCommand({ Bucket: bucket, Key: key })
        : new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: 'application/yaml' }),
      { expiresIn },
    );
}
