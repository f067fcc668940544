// The puller's Kubernetes client keeps its connection to the API server: requests of an apply (and the
// discovery reads) go over a few kept-alive connections, not one new connection (and TLS handshake) each.
// A counting TCP relay in front of the test API server sees every connection the client opens.
import { connect, createServer, type Server } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import { discoverCapabilities } from '../../shared/adapters/kube/client-node-discovery.ts';
import { renderKubeconfig } from '../support/kube-api-server/kubeconfig.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';

let kube: KubeApiServer;
let relay: Server;
let connections = 0;
let kubeConfig: KubeConfig;

beforeAll(async () => {
  kube = await startKubeApiServer({ namespaces: ['apps'] });
  const upstream = new URL(kube.url);
  relay = createServer((client) => {
    connections++;
    const server = connect(Number(upstream.port), upstream.hostname);
    client.pipe(server).pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address() as { port: number };
  kubeConfig = new KubeConfig();
  // insecure-skip-tls-verify, as the test server's kubeconfig has it: TLS settings of their own, which is
  // what made client-node build a connection pool per request.
  kubeConfig.loadFromString(renderKubeconfig({ server: `http://127.0.0.1:${address.port}` }));
});

afterAll(async () => {
  relay?.close();
  await kube?.close();
});

describe('the Kubernetes client', () => {
  it('applies forty objects and reads discovery over a few connections, not one per request', async () => {
    const cluster = new ClientNodeCluster(kubeConfig);
    for (let i = 0; i < 40; i++)
      await cluster.apply(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${i}`, namespace: 'apps' },
          data: { i: String(i) },
        },
        { fieldManager: 'sluice', force: true },
      );
    await discoverCapabilities(kubeConfig);

    expect(kube.objects({ kind: 'ConfigMap', namespace: 'apps' })).toHaveLength(40);
    expect(connections).toBeLessThanOrEqual(2);
  });
});
