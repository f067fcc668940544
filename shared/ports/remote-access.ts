// How a chart or OCI source is reached: the credentials, TLS material and transport flags its Flux object
// names (secretRef, certSecretRef, insecure, passCredentials, provider). Values come from Secrets: never logged.

export interface SourceCredentials {
  username?: string;
  password?: string;
  bearerToken?: string;
}

/** PEM text from a certSecretRef Secret (`ca.crt`, `tls.crt`, `tls.key`). */
export interface TlsMaterial {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
}

export interface RemoteAccess {
  credentials?: SourceCredentials;
  tls?: TlsMaterial;
  /** OCI `spec.insecure`: the registry speaks plain HTTP. */
  insecure?: boolean;
  /** HelmRepository `spec.passCredentials`: credentials also go to chart URLs on other hosts. */
  passCredentials?: boolean;
  /** `spec.provider`: `generic` (default), `aws` (ECR tokens from the control plane's role), `azure`, `gcp`. */
  provider?: string;
  /** `spec.timeout` of the object: the network part of one fetch may take at most this long. */
  timeoutMs?: number;
}
