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
  const credentials =
    spec.secret && credentialsOf(await secretData(state, spec.secret, 'spec.secretRef'), spec.url);
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

/**
 * `username`/`password` or `bearerToken`, or (OCI, as Flux reads an OCIRepository's secretRef) a
 * `kubernetes.io/dockerconfigjson` Secret's entry for the registry's host.
 */
function credentialsOf(data: Record<string, string>, url: string): SourceCredentials {
  const dockerConfig = data['.dockerconfigjson'];
  if (dockerConfig !== undefined && url.startsWith('oci://'))
    return dockerConfigCredentials(dockerConfig, url);
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

function dockerConfigCredentials(text: string, url: string): SourceCredentials {
  const host = url.slice('oci://'.length).split('/')[0] ?? '';
  let auths: Record<string, { username?: unknown; password?: unknown; auth?: unknown }> = {};
  try {
    const parsed = JSON.parse(text) as { auths?: typeof auths };
    auths = parsed.auths ?? {};
  } catch {
    throw new SluiceError(
      'ValidationFailed',
      "spec.secretRef: the Secret's .dockerconfigjson is not JSON; create it with kubectl create secret docker-registry",
      { field: 'spec.secretRef' },
    );
  }
  // Keys may be bare hosts or URLs (`https://index.docker.io/v1/`), as docker writes them.
  const entry = Object.entries(auths).find(
    ([key]) => key.replace(/^https?:\/\//, '').split('/')[0] === host,
  )?.[1];
  if (!entry) {
    throw new SluiceError(
      'ValidationFailed',
      `spec.secretRef: the Secret's .dockerconfigjson has no entry for ${host}; add one (kubectl create secret docker-registry --docker-server=${host})`,
      { field: 'spec.secretRef' },
    );
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string')
    return { username: entry.username, password: entry.password };
  if (typeof entry.auth === 'string') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  throw new SluiceError(
    'ValidationFailed',
    `spec.secretRef: the .dockerconfigjson entry for ${host} has neither username/password nor auth; recreate the Secret`,
    { field: 'spec.secretRef' },
  );
}
