// kubeconfig YAML text for clients of the stand-in: one cluster, one user (bearer token if configured),
// one context, current-context set. client-node v2 refuses http:// servers unless insecure-skip-tls-verify.

import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  token?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** PEM of the server's CA; without it the kubeconfig skips TLS verification (plain HTTP servers). */
  certificateAuthority?: string;
  name?: string;
}

export function renderKubeconfig(opts: KubeconfigOptions): string {
  const name = opts.name ?? 'sluice-test';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: opts.certificateAuthority
          ? {
              server: opts.server,
              'certificate-authority-data': Buffer.from(opts.certificateAuthority).toString('base64'),
            }
          : { server: opts.server, 'insecure-skip-tls-verify': true },
      },
    ],
    users: [{ name, user: opts.token ? { token: opts.token } : {} }],
    contexts: [
      {
        name,
        context: { cluster: name, user: name, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
      },
    ],
    'current-context': name,
    preferences: {},
  });
}
