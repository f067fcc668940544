// Use-case step: a generic Bucket's keys, from the Secret its spec.secretRef names (`accesskey`,
// `secretkey`, as Flux reads them). Errors name the Secret and the missing key, never a value.
import { SluiceError } from '../../core/errors.ts';
import type { FetchSpec } from '../../core/pipeline/records.ts';
import type { StateStore } from '../state-store.ts';

export async function bucketCredentialsOf(
  state: StateStore,
  ref: NonNullable<FetchSpec['secret']>,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const record = await state.getConfig(ref.cluster, 'Secret', ref);
  if (!record) {
    throw new SluiceError(
      'ReferenceNotFound',
      `spec.secretRef: Secret '${ref.namespace}/${ref.name}' not found in cluster ${ref.cluster}; add it to the cluster's fleet directory`,
      { retryable: true, field: 'spec.secretRef' },
    );
  }
  const { accesskey, secretkey } = record.data;
  if (!accesskey || !secretkey) {
    throw new SluiceError(
      'ValidationFailed',
      `spec.secretRef: Secret '${ref.namespace}/${ref.name}' must hold both accesskey and secretkey (missing ${!accesskey ? 'accesskey' : 'secretkey'})`,
      { field: 'spec.secretRef' },
    );
  }
  return { accessKeyId: accesskey, secretAccessKey: secretkey };
}
