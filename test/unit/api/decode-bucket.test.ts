// Bucket objects as Flux's docs write them decode with Flux's defaults (generic provider, 60s timeout);
// CRD rules, and the providers and fields Sluice cannot honour yet, are refused by field with the fix.
import { describe, expect, it } from 'vitest';
import { decodeBucket } from '../../../shared/api/decode-bucket.ts';
import { decodeYaml, issuesOf } from './decode-helpers.ts';

const minio = `apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata:
  name: minio-bucket
  namespace: flux-system
spec:
  interval: 5m0s
  endpoint: minio.example.com:9000
  insecure: true
  bucketName: example
  prefix: apps/
  ignore: "*.md"
  secretRef:
    name: minio-bucket-secret
`;

const withSpec = (...lines: string[]) =>
  `apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata:
  name: b
  namespace: flux-system
spec:
${lines.map((l) => `  ${l}`).join('\n')}
`;
const base = ['interval: 5m', 'endpoint: minio.example.com', 'bucketName: fleet'];
const issues = (...lines: string[]) => issuesOf(withSpec(...lines), decodeBucket);

describe('Bucket', () => {
  it('a generic S3-compatible bucket with a Secret, a prefix and ignore rules, with Flux defaults', () => {
    expect(decodeYaml(minio)).toEqual({
      kind: 'Bucket',
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      metadata: { name: 'minio-bucket', namespace: 'flux-system', labels: {}, annotations: {} },
      spec: {
        provider: 'generic',
        bucketName: 'example',
        endpoint: 'minio.example.com:9000',
        insecure: true,
        prefix: 'apps/',
        secretRef: { name: 'minio-bucket-secret' },
        ignore: '*.md',
        intervalMs: 300_000,
        timeoutMs: 60_000,
        suspend: false,
      },
      source: { file: 'clusters/dev/sources.yaml', document: 0 },
    });
  });

  it('an aws bucket with a region uses the control plane credentials', () => {
    expect(issues('provider: aws', 'region: eu-west-1', ...base)).toEqual([]);
  });

  it('refuses gcp and azure providers with the fix', () => {
    for (const provider of ['gcp', 'azure']) {
      const [issue] = issues(`provider: ${provider}`, ...base);
      expect(issue?.field).toBe('spec.provider');
      expect(issue?.problem).toContain('provider generic');
    }
  });

  it('refuses sts, certSecretRef, proxySecretRef and serviceAccountName rather than ignoring them', () => {
    const found = issues(
      ...base,
      'sts: {provider: aws, endpoint: https://sts.amazonaws.com}',
      'certSecretRef: {name: ca}',
      'proxySecretRef: {name: proxy}',
      'serviceAccountName: reader',
    );
    expect(found.map((i) => i.field)).toEqual([
      'spec.sts',
      'spec.certSecretRef',
      'spec.proxySecretRef',
      'spec.serviceAccountName',
    ]);
  });

  it('requires bucketName and endpoint, and refuses an endpoint with a scheme or credentials', () => {
    expect(issues('interval: 1m').map((i) => i.field)).toEqual(['spec.bucketName', 'spec.endpoint']);
    const [scheme] = issues('interval: 1m', 'bucketName: fleet', 'endpoint: https://minio.example.com');
    expect(scheme?.field).toBe('spec.endpoint');
    const [userinfo] = issues('interval: 1m', 'bucketName: fleet', 'endpoint: "http://ak:sup3rs3cret@minio"');
    expect(userinfo?.problem).not.toContain('sup3rs3cret');
  });

  it('refuses a bucket name S3 would refuse, and a secretRef with provider aws', () => {
    expect(issues('interval: 1m', 'endpoint: s3.amazonaws.com', 'bucketName: My_Bucket')[0]?.field).toBe(
      'spec.bucketName',
    );
    expect(issues('provider: aws', ...base, 'secretRef: {name: keys}')[0]?.field).toBe('spec.secretRef');
  });
});
