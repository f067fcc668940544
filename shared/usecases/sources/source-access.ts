// Use-case step: how a chart or OCI source is reached, from its fetch spec and the Secrets its cluster
// declared (secretRef: username/password or bearerToken; certSecretRef: ca.crt, tls.crt, tls.key).
import { SluiceError } from '../../core/errors.ts';
import type { FetchSpec } from '../../core/pipeline/records.ts';
import type { RemoteAccess, SourceCredentials, TlsMaterial } from '../../ports/remote-access.ts';
import type { StateStore } from '../state-store.ts';

type SecretRef = NonNullable<FetchSpec['secret']>;

/** Errors name the field; the fetch use-case puts the declaring object in front. */
export async function remoteAccessOf(state: StateStore, spec: FetchSpec): Promise<RemoteAccess> {
  const fields = spec.oci ?? spec.helmRepository;
  const credentials = spec.secret && credentialsOf(await secretData(state, spec.secret, 'spec.secretRef'));
  const tls = spec.certSecret && tlsOf(await secretData(state, spec.certSecret, 'spec.certSecretRef'));
  return {
    ...(credentials && { credentials }),
    ...(tls && { tls }),
    ...(fields?.insecure && { insecure: true }),
    ...(spec.helmRepository?.passCredentials && { passCredentials: true }),
    ...(fields?.provider && { provider: fields.provider }),
    ...(fields?.timeoutMs && { timeoutMs: fields.timeoutMs }),
  };
}

async function secretData(state: StateStore, ref: SecretRef, field: string): Promise<Record<string, string>> {
  const record = await state.getConfig(ref.cluster, 'Secret', ref);
  if (!record) {
    throw new SluiceError(
      'ReferenceNotFound',
      `${field}: Secret '${ref.namespace}/${ref.name}' not found in cluster ${ref.cluster}; add it to the cluster's fleet directory`,
      { retryable: true, field },
    );
  }
  return record.data;
}

function credentialsOf(data: Record<string, string>): SourceCredentials {
  const { username, password, bearerToken } = data;
  return {
    ...(username && { username }),
    ...(password && { password }),
    ...(bearerToken && { bearerToken }),
  };
}

function tlsOf(data: Record<string, string>): TlsMaterial {
  return {
    ...(data['ca.crt'] && { caPem: data['ca.crt'] }),
    ...(data['tls.crt'] && { certPem: data['tls.crt'] }),
    ...(data['tls.key'] && { keyPem: data['tls.key'] }),
  };
}
