// Validates a raw Bucket object into the typed API with Flux's CRD rules (source-controller api/v1
// bucket_types.go), naming each bad field; providers and features Sluice cannot honour are refused.
import { BUCKET_API, type Bucket, type BucketProvider } from './bucket.ts';
import { readLocalRef, readTimeout } from './decode-source-fields.ts';
import type { FieldReader } from './field-reader.ts';
import { BUCKET_SPEC_FIELDS, OBJECT_FIELDS } from './flux-fields.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

type Raw = Record<string, unknown>;

const PROVIDERS = ['generic', 'aws', 'gcp', 'azure'] as const;
/** S3's bucket naming rules (minio-go checks the same before any request). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** `host` or `host:port`, as Flux's minio client takes it: no scheme, no path. */
const ENDPOINT = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/;

export function decodeBucket(raw: Raw, metadata: ObjectMeta, source: SourceLocation, r: FieldReader): Bucket {
  r.knownFields(raw, '', OBJECT_FIELDS);
  const spec = r.object(raw, 'spec', 'spec', true);
  r.knownFields(spec, 'spec', BUCKET_SPEC_FIELDS);
  const provider = readBucketProvider(spec, r);
  const bucketName = r.string(spec, 'bucketName', 'spec.bucketName', { required: true });
  if (bucketName !== undefined && bucketName !== '' && !BUCKET_NAME.test(bucketName))
    r.fail(
      'spec.bucketName',
      `expected an S3 bucket name (3-63 lowercase letters, digits, '.' and '-'), got ${JSON.stringify(bucketName)}`,
    );
  const endpoint = r.string(spec, 'endpoint', 'spec.endpoint', { required: true });
  if (endpoint !== undefined && endpoint !== '' && !ENDPOINT.test(endpoint))
    r.fail(
      'spec.endpoint',
      `expected host or host:port without a scheme such as "minio.example.com:9000" (spec.insecure: true for http), got ${JSON.stringify(endpoint.replace(/\/\/[^/@]*@/, '//***@'))}`,
    );
  const secretRef = readLocalRef(spec, 'secretRef', r);
  if (secretRef && provider === 'aws')
    r.fail(
      'spec.secretRef',
      "provider aws uses the control plane's own AWS role; remove spec.secretRef, or use provider generic with accesskey/secretkey",
    );
  refuseUnsupported(spec, r);
  const region = r.string(spec, 'region', 'spec.region');
  const prefix = r.string(spec, 'prefix', 'spec.prefix');
  const ignore = r.string(spec, 'ignore', 'spec.ignore');
  return {
    kind: 'Bucket',
    apiVersion: BUCKET_API,
    metadata,
    spec: {
      provider,
      bucketName: bucketName ?? '',
      endpoint: endpoint ?? '',
      insecure: r.boolean(spec, 'insecure', 'spec.insecure') ?? false,
      ...(region !== undefined && { region }),
      ...(prefix !== undefined && prefix !== '' && { prefix }),
      ...(secretRef && { secretRef }),
      ...(ignore !== undefined && { ignore }),
      intervalMs: r.duration(spec, 'interval', 'spec.interval', true) ?? 0,
      timeoutMs: readTimeout(spec, r),
      suspend: r.boolean(spec, 'suspend', 'spec.suspend') ?? false,
    },
    source,
  };
}

function readBucketProvider(spec: Raw | undefined, r: FieldReader): BucketProvider {
  const provider = r.string(spec, 'provider', 'spec.provider', { oneOf: PROVIDERS });
  if (provider === 'gcp' || provider === 'azure') {
    r.fail(
      'spec.provider',
      `${provider} buckets are not supported by this Sluice version yet; use provider generic with the store's S3-compatible endpoint and a secretRef, or provider aws`,
    );
  }
  return provider === 'aws' ? 'aws' : 'generic';
}

/** Fields Flux honours that Sluice cannot yet: ignoring them would fetch something other than asked. */
function refuseUnsupported(spec: Raw | undefined, r: FieldReader): void {
  const refusals: [string, string][] = [
    [
      'sts',
      'security token service exchange is not supported by this Sluice version yet; put static keys in spec.secretRef',
    ],
    [
      'certSecretRef',
      'custom TLS material for buckets is not supported by this Sluice version yet; use an endpoint with a publicly trusted certificate',
    ],
    [
      'proxySecretRef',
      'proxies are not supported by this Sluice version yet: the control plane connects to the endpoint directly; remove the field if it can',
    ],
    [
      'serviceAccountName',
      'workload identity from a ServiceAccount is not supported; Sluice reads no ServiceAccount from the cluster',
    ],
  ];
  for (const [field, why] of refusals) if (spec?.[field] !== undefined) r.fail(`spec.${field}`, why);
}
