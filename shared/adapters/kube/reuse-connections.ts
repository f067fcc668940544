// One connection pool per API server and TLS settings, instead of one per request. client-node (2.0) builds
// a new undici Agent for every request whose cluster has TLS settings (every real cluster: a CA, or
// insecure-skip-tls-verify), so each request opened its own connection (a TLS handshake each time) and left
// it open until its keep-alive ran out: hundreds of sockets and their buffers during a large apply, and the
// puller's memory grew with every reconcile. Measured in bench/puller-footprint.ts.
import { createHash } from 'node:crypto';
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

type Dispatcher = object | undefined;
type CreateDispatcher = (cluster: Cluster | null, agentOptions: object) => Dispatcher;

const pooled = new WeakSet<KubeConfig>();

/**
 * Makes every client made from `kubeConfig` share one dispatcher while the settings it is built from stay
 * the same. New settings (a rotated client certificate or CA) get a new dispatcher; the old one is left to
 * close its idle connections by itself, as requests already holding it may still be on their way.
 */
export function reuseConnections(kubeConfig: KubeConfig): void {
  if (pooled.has(kubeConfig)) return;
  pooled.add(kubeConfig);
  // A private method of client-node's KubeConfig (config.js); the settings it turns into a dispatcher come
  // from the public createDispatcherOptions, so equal settings are recognised without undici's internals.
  const target = kubeConfig as unknown as { createDispatcher?: CreateDispatcher };
  const create = target.createDispatcher?.bind(kubeConfig);
  if (!create) return; // a client-node without per-request dispatchers: nothing to share
  let current: { key: string; dispatcher: Dispatcher } | undefined;
  target.createDispatcher = (cluster, agentOptions) => {
    const key = settingsKey(cluster, kubeConfig.createDispatcherOptions(cluster, agentOptions));
    if (current?.key !== key) current = { key, dispatcher: create(cluster, agentOptions) };
    return current.dispatcher;
  };
}

/** A digest of the server and every TLS and proxy setting (key material included, so it is never kept). */
function settingsKey(cluster: Cluster | null, options: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([cluster?.server, options]))
    .digest('hex');
}
