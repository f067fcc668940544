// source.toolkit.fluxcd.io/v1 HelmRepository: the fields Sluice honours, as Flux defines them.
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

export const HELM_REPOSITORY_API = 'source.toolkit.fluxcd.io/v1';

export type SourceProvider = 'generic' | 'aws' | 'azure' | 'gcp';

export interface HelmRepository {
  kind: 'HelmRepository';
  apiVersion: typeof HELM_REPOSITORY_API;
  metadata: ObjectMeta;
  spec: {
    /** `http(s)://…` for `type: default`, `oci://…` for `type: oci`. */
    url: string;
    type: 'default' | 'oci';
    /** Secret with `username`+`password` (basic) or `bearerToken`. */
    secretRef?: { name: string };
    /** Secret with `ca.crt`, `tls.crt`, `tls.key`. */
    certSecretRef?: { name: string };
    passCredentials: boolean;
    /** OCI only: plain HTTP registry. */
    insecure: boolean;
    /** Flux's HelmRepository default when unset is 1m (see the decoder). */
    intervalMs: number;
    timeoutMs: number;
    provider: SourceProvider;
    suspend: boolean;
  };
  source: SourceLocation;
}
